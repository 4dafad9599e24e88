package io.pabee.patience;

/**
 * Baseline a reviewer asked for: run every layer and let all internal classifiers vote. The label is
 * the majority of the layers' argmax labels, a tie going to whichever tied label the latest layer
 * predicted; the reported probabilities are the vote shares. Regression reports the mean score.
 */
public final class VotePolicy implements ExitPolicy {

    @Override
    public String name() {
        return "vote";
    }

    @Override
    public String setting() {
        return "all-layers";
    }

    @Override
    public boolean observe(ExitState s, int layer, int numLayers, HeadOutput out) {
        if (out.isRegression()) {
            s.scoreSum += out.score();
        } else {
            int classes = out.probabilities().length;
            if (s.votes == null) {
                s.votes = new int[classes];
                s.lastVoteLayer = new int[classes];
            } else if (s.votes.length != classes) {
                throw new IllegalArgumentException("layer " + layer + " has " + classes
                        + " classes but earlier layers had " + s.votes.length);
            }
            int label = out.argmax();
            s.votes[label]++;
            s.lastVoteLayer[label] = layer;
            s.previousLabel = label;
        }
        s.layersSeen = layer;
        return layer >= numLayers;
    }

    @Override
    public Prediction predict(ExitState s, HeadOutput out) {
        if (s.layersSeen < 1) {
            throw new IllegalStateException("vote policy has observed no layers; call observe() first");
        }
        if (out.isRegression()) {
            return new Prediction(-1, null, (float) (s.scoreSum / s.layersSeen));
        }
        if (s.votes == null) {
            throw new IllegalStateException("vote policy has no class votes; the observed layers were regression heads");
        }
        int best = 0;
        int total = 0;
        for (int v : s.votes) {
            total += v;
        }
        for (int i = 1; i < s.votes.length; i++) {
            if (s.votes[i] > s.votes[best]
                    || (s.votes[i] == s.votes[best] && s.lastVoteLayer[i] > s.lastVoteLayer[best])) {
                best = i;
            }
        }
        float[] shares = new float[s.votes.length];
        for (int i = 0; i < shares.length; i++) {
            shares[i] = (float) s.votes[i] / total;
        }
        return new Prediction(best, shares, Float.NaN);
    }
}
