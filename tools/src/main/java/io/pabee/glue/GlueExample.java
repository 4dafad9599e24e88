package io.pabee.glue;

/**
 * One labeled GLUE example.
 *
 * @param id       stable id {@code <task>/<split>/<row>}, row counted from 0 over data rows
 * @param text     first (or only) sentence, trimmed
 * @param textPair second sentence for pair tasks, else null
 * @param label    class index, or -1 for regression
 * @param score    regression target, or NaN for classification
 */
public record GlueExample(String id, String text, String textPair, int label, float score) {

    public boolean isPair() {
        return textPair != null;
    }

    public boolean isRegression() {
        return label < 0;
    }
}
