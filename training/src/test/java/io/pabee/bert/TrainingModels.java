package io.pabee.bert;

import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.stage.ModelDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The prepared default base model for training tests (prepared from its Maven artifact on first use). */
public final class TrainingModels {
    private static ModelDirectory base;
    private static OnnxBertWeights weights;

    private TrainingModels() {
    }

    public static synchronized ModelDirectory base() {
        if (base == null) {
            try {
                base = ModelPreparer.ensurePrepared(BaseModel.DEFAULT,
                        ModelDirectory.home().resolve(BaseModel.DEFAULT.id()), msg -> { });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return base;
    }

    public static synchronized OnnxBertWeights weights() {
        if (weights == null) {
            weights = OnnxBertWeights.load(base());
        }
        return weights;
    }
}
