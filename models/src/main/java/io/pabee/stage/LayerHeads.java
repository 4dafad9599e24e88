package io.pabee.stage;

import io.pabee.patience.HeadOutput;

/** The internal classifier of each layer, applied to a record's hidden state ([CLS] is token 0). */
@FunctionalInterface
public interface LayerHeads {
    HeadOutput apply(int layer, float[] hidden);
}
