package io.pabee.stage;

import java.util.List;

/**
 * The answer for one record: label (index and name) with probabilities, or a score; the layer it
 * exited at; and, when traced, every layer's predicted label index (or score).
 */
public record Classification(Object key, int labelIndex, String label, float[] probabilities, float score,
                             int exitLayer, boolean truncated, List<Float> layerPredictions) {
}
