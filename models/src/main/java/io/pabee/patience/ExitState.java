package io.pabee.patience;

/**
 * Per-record state an exit policy carries from layer to layer. It is plain data so that it can be
 * shipped with a record's hidden state to another process (the worker pool) and resumed there.
 */
public final class ExitState {
    /** Layers observed so far (the last observed layer, 1-based). */
    public int layersSeen;
    /** Consecutive layers whose prediction agreed with the previous layer's (PABEE's counter). */
    public int counter;
    /** Previous layer's predicted label index, or -1 before the first layer. */
    public int previousLabel = -1;
    /** Previous layer's regression score, or NaN before the first layer. */
    public float previousScore = Float.NaN;
    /** Vote policy only: per-class vote counts (classification) or null. */
    public int[] votes;
    /** Vote policy only: per-class latest layer that voted for the class (0 = none), for tie-breaking. */
    public int[] lastVoteLayer;
    /** Vote policy only: sum of per-layer scores (regression). */
    public double scoreSum;

    public ExitState() {
    }

    /** Resumes a state shipped from another process. */
    public static ExitState resume(int layersSeen, int counter, int previousLabel, float previousScore) {
        ExitState s = new ExitState();
        s.layersSeen = layersSeen;
        s.counter = counter;
        s.previousLabel = previousLabel;
        s.previousScore = previousScore;
        return s;
    }

    /** Resumes a vote-policy state shipped from another process; the arrays are copied. */
    public static ExitState resume(int layersSeen, int counter, int previousLabel, float previousScore,
            int[] votes, int[] lastVoteLayer, double scoreSum) {
        ExitState s = resume(layersSeen, counter, previousLabel, previousScore);
        s.votes = votes == null ? null : votes.clone();
        s.lastVoteLayer = lastVoteLayer == null ? null : lastVoteLayer.clone();
        s.scoreSum = scoreSum;
        return s;
    }
}
