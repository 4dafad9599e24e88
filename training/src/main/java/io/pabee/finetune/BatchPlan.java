package io.pabee.finetune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The batches of one epoch, bucketed by token length: a seeded shuffle, pools of 50 batches sorted by length
 * and cut into batches (little padding), then the batches shuffled. The same seed and epoch always give the
 * same plan, which is what lets a resumed run continue with the data order it had.
 */
public final class BatchPlan {
    private static final int POOL_BATCHES = 50;

    private BatchPlan() {
    }

    public static List<int[]> epoch(int[] lengths, int batchSize, long seed, int epoch) {
        Random rnd = new Random(seed * 1_000_003L + epoch);
        List<Integer> order = new ArrayList<>(lengths.length);
        for (int i = 0; i < lengths.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, rnd);
        List<int[]> batches = new ArrayList<>();
        int pool = POOL_BATCHES * batchSize;
        for (int from = 0; from < order.size(); from += pool) {
            List<Integer> p = new ArrayList<>(order.subList(from, Math.min(order.size(), from + pool)));
            p.sort(Comparator.comparingInt(i -> lengths[i]));
            for (int b = 0; b < p.size(); b += batchSize) {
                batches.add(p.subList(b, Math.min(p.size(), b + batchSize)).stream().mapToInt(Integer::intValue).toArray());
            }
        }
        Collections.shuffle(batches, rnd);
        return batches;
    }

    /** Number of batches an epoch has. */
    public static int batchesPerEpoch(int examples, int batchSize) {
        int pool = POOL_BATCHES * batchSize;
        int full = examples / pool;
        int rest = examples % pool;
        return full * POOL_BATCHES + (rest + batchSize - 1) / batchSize;
    }
}
