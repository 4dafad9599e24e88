package io.pabee.stage;

import io.pabee.patience.HeadOutput;
import io.pabee.tokenize.Tokens;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs records through the staged encoder with dynamic re-batching: one queue per depth, and each
 * step runs one layer over up to {@code batchSize} records waiting at that depth, so records that
 * exit leave the batch and records from other batches that reached the same depth join it.
 * Preference goes to the deepest full queue (finishing records bounds memory), then to admitting
 * new input, then (input exhausted) to the shallowest partial queue.
 *
 * <p>A stage call pads every record to the longest in it. With {@link BatchOrder#LENGTH} (the default)
 * {@link #runAll} sorts its records by token count before the first call, and a batch taken from a
 * depth queue holding more than one batch is the longest records waiting there, so records of similar
 * length share calls; with {@link BatchOrder#ARRIVAL} both follow arrival order. Exit decisions do not
 * depend on the order: each record's exit state sees only its own head outputs.
 */
public final class EarlyExitRunner {
    private final EncoderStages encoder;
    private final LayerHeads heads;
    private final int batchSize;
    private final BatchOrder order;

    /** A runner over a whole model: its stages and its heads, with length-aware batching. */
    public EarlyExitRunner(LayerModel model, int batchSize) {
        this(model, model, batchSize, BatchOrder.LENGTH);
    }

    /** A runner over a whole model that forms stage batches in {@code order}. */
    public EarlyExitRunner(LayerModel model, int batchSize, BatchOrder order) {
        this(model, model, batchSize, order);
    }

    /** A runner over stages and heads given apart, with length-aware batching. */
    public EarlyExitRunner(EncoderStages encoder, LayerHeads heads, int batchSize) {
        this(encoder, heads, batchSize, BatchOrder.LENGTH);
    }

    /** A runner over stages and heads given apart that forms stage batches in {@code order}. */
    public EarlyExitRunner(EncoderStages encoder, LayerHeads heads, int batchSize, BatchOrder order) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.encoder = encoder;
        this.heads = heads;
        this.batchSize = batchSize;
        this.order = Objects.requireNonNull(order, "order");
    }

    public BatchOrder order() {
        return order;
    }

    /** A fresh record to embed: its tokens and the in-flight shell (hidden still null) to fill. */
    public record Fresh(Tokens tokens, InFlight record) {
    }

    /** Counters of one run, for benchmarks and metrics. */
    public static final class Stats {
        public long layerCalls;
        public long layerRecords;
        public long embedCalls;
        /** Wall time spent in each layer's stage calls, index = layer (0 unused). */
        public long[] layerNanos = new long[0];
        /** Real tokens handed to each stage, index = stage (0 = embeddings). */
        public long[] realTokens = new long[0];
        /** Token positions each stage computed: per call, records x the longest record's length. */
        public long[] computedTokens = new long[0];

        public double meanBatch() {
            return layerCalls == 0 ? 0 : (double) layerRecords / layerCalls;
        }

        /** Real tokens / computed tokens over the encoder layers 1..L (NaN when no layer ran). */
        public double paddingEfficiency() {
            return efficiency(realTokens, computedTokens);
        }

        /** Real / computed over stages 1.. of two per-stage arrays; the embeddings (stage 0) cost little. */
        public static double efficiency(long[] real, long[] computed) {
            long r = 0;
            long c = 0;
            for (int l = 1; l < computed.length; l++) {
                r += real[l];
                c += computed[l];
            }
            return c == 0 ? Double.NaN : (double) r / c;
        }

        private void count(int stage, int[] lengths) {
            int max = 0;
            for (int n : lengths) {
                realTokens[stage] += n;
                max = Math.max(max, n);
            }
            computedTokens[stage] += (long) max * lengths.length;
        }
    }

    /**
     * Embeds {@code fresh} records lazily and runs them and the {@code resumed} ones until each
     * exits ({@code onExit}) or has run {@code lastLayer} without exiting ({@code onUnfinished}).
     */
    public Stats run(Iterator<Fresh> fresh, List<InFlight> resumed, int lastLayer,
                     Consumer<InFlight> onExit, Consumer<InFlight> onUnfinished) {
        int numLayers = encoder.numLayers();
        int last = Math.min(lastLayer, numLayers);
        @SuppressWarnings("unchecked")
        ArrayDeque<InFlight>[] waiting = new ArrayDeque[numLayers + 2];
        for (int i = 0; i < waiting.length; i++) {
            waiting[i] = new ArrayDeque<>();
        }
        Stats stats = new Stats();
        stats.layerNanos = new long[numLayers + 1];
        stats.realTokens = new long[numLayers + 1];
        stats.computedTokens = new long[numLayers + 1];
        for (InFlight r : resumed) {
            route(r, last, waiting, onUnfinished);
        }
        while (true) {
            int pick = -1;
            for (int l = last; l >= 1; l--) {
                if (waiting[l].size() >= batchSize) {
                    pick = l;
                    break;
                }
            }
            if (pick < 0 && fresh.hasNext()) {
                admit(fresh, waiting, last, onUnfinished, stats);
                continue;
            }
            if (pick < 0) {
                // Draining: sweep from the shallowest queue down, so survivors merge with the records
                // already waiting one layer deeper and the drain costs at most L partial batches.
                for (int l = 1; l <= last; l++) {
                    if (!waiting[l].isEmpty()) {
                        pick = l;
                        break;
                    }
                }
            }
            if (pick < 0) {
                return stats;
            }
            List<InFlight> batch = take(waiting[pick]);
            runLayer(pick, batch, stats);
            for (InFlight r : batch) {
                if (r.exited) {
                    onExit.accept(r);
                } else {
                    route(r, last, waiting, onUnfinished);
                }
            }
        }
    }

    /**
     * Runs every record of a whole list to its exit (or {@code lastLayer}); with {@link BatchOrder#LENGTH}
     * the records are embedded shortest first (a stable sort, so equal lengths keep their order).
     */
    public Stats runAll(List<Fresh> fresh, int lastLayer, Consumer<InFlight> onExit, Consumer<InFlight> onUnfinished) {
        List<Fresh> in = fresh;
        if (order == BatchOrder.LENGTH) {
            in = new ArrayList<>(fresh);
            in.sort(Comparator.comparingInt(f -> f.tokens().length()));
        }
        return run(in.iterator(), List.of(), lastLayer, onExit, onUnfinished);
    }

    /**
     * The next batch of a depth queue: its first {@code batchSize} records in arrival order, or with
     * {@link BatchOrder#LENGTH} the longest ones, so the padded length of a call is shared by records
     * near it and those left behind stay together too.
     */
    private List<InFlight> take(ArrayDeque<InFlight> queue) {
        List<InFlight> batch = new ArrayList<>(batchSize);
        if (order == BatchOrder.LENGTH && queue.size() > batchSize) {
            List<InFlight> all = new ArrayList<>(queue);
            queue.clear();
            all.sort(Comparator.comparingInt((InFlight r) -> r.length).reversed());
            batch.addAll(all.subList(0, batchSize));
            // the rest wait longest first; the sort is stable, so equal lengths keep their arrival order
            queue.addAll(all.subList(batchSize, all.size()));
            return batch;
        }
        while (batch.size() < batchSize && !queue.isEmpty()) {
            batch.add(queue.poll());
        }
        return batch;
    }

    private void admit(Iterator<Fresh> fresh, ArrayDeque<InFlight>[] waiting, int last,
                       Consumer<InFlight> onUnfinished, Stats stats) {
        List<Fresh> batch = new ArrayList<>(batchSize);
        while (batch.size() < batchSize && fresh.hasNext()) {
            batch.add(fresh.next());
        }
        List<float[]> h = encoder.embed(batch.stream().map(Fresh::tokens).toList());
        stats.embedCalls++;
        stats.count(0, batch.stream().mapToInt(f -> f.tokens().length()).toArray());
        for (int i = 0; i < batch.size(); i++) {
            InFlight r = batch.get(i).record();
            r.hidden = h.get(i);
            r.layersDone = 0;
            route(r, last, waiting, onUnfinished);
        }
    }

    private static void route(InFlight r, int last, ArrayDeque<InFlight>[] waiting, Consumer<InFlight> onUnfinished) {
        if (r.layersDone >= last) {
            onUnfinished.accept(r);
        } else {
            waiting[r.layersDone + 1].add(r);
        }
    }

    private void runLayer(int layer, List<InFlight> batch, Stats stats) {
        int[] lengths = new int[batch.size()];
        List<float[]> in = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            InFlight r = batch.get(i);
            lengths[i] = r.length;
            in.add(r.hidden);
        }
        long t0 = System.nanoTime();
        List<float[]> out = encoder.layer(layer, in, lengths);
        stats.layerNanos[layer] += System.nanoTime() - t0;
        stats.layerCalls++;
        stats.layerRecords += batch.size();
        stats.count(layer, lengths);
        for (int i = 0; i < batch.size(); i++) {
            InFlight r = batch.get(i);
            r.hidden = out.get(i);
            r.layersDone = layer;
            HeadOutput o = heads.apply(layer, r.hidden);
            r.last = o;
            if (r.trace != null) {
                r.trace.add(o);
            }
            r.exited = r.policy.observe(r.state, layer, encoder.numLayers(), o);
        }
    }

    /** Builds the fresh list for a batch of tokenized records with one policy and keys 0..n-1. */
    public static List<Fresh> fresh(List<Tokens> tokens, Function<Integer, InFlight> shell) {
        List<Fresh> out = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            out.add(new Fresh(tokens.get(i), shell.apply(i)));
        }
        return out;
    }
}
