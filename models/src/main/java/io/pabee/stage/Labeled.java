package io.pabee.stage;

import java.util.List;

/**
 * A local run's answer for one record (not the Avro {@code Classification} of the results topic):
 * label (index and name) with probabilities, or a score; the layer it exited at; and, when traced,
 * every layer's predicted label index (or score).
 */
public record Labeled(Object key, int labelIndex, String label, float[] probabilities, float score,
                      int exitLayer, boolean truncated, List<Float> layerPredictions) {
}
