package io.pabee.finetune;

import java.util.List;
import java.util.Map;

/** Receives a run's progress: per step, per epoch's dev evaluation, per checkpoint. */
public interface TrainingListener {
    /** After each optimizer step: {@code step} counts from 1 over the whole run. */
    default void onStep(int step, int totalSteps, int epoch, float loss, double tokensPerSecond) {
    }

    /** A dev evaluation, metrics per layer (index 0 = layer 1). */
    default void onEvaluation(int epoch, int step, List<Map<String, Double>> perLayer) {
    }

    default void onCheckpoint(int step, java.nio.file.Path dir) {
    }

    default void onStart(int firstStep, int totalSteps) {
    }

    default void onEnd() {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
