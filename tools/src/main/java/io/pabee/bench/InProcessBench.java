package io.pabee.bench;

import io.pabee.patience.ExitPolicy;
import io.pabee.patience.PatiencePolicy;
import io.pabee.prepare.ModelPreparer;
import io.pabee.stage.BatchOrder;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.LayerHeads;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.Tokens;
import java.util.ArrayList;
import java.util.List;

/**
 * Records per second of (a) the monolithic model, (b) the staged model at full depth and (c) PABEE
 * with dynamic re-batching, all at the same batch size on the same records in the same order; (b)
 * and (c) in each of the given batch orders, their passes interleaved (arrival, length, arrival, ...)
 * so that a busy machine slows every order alike. A benchmark, not a test: it measures, it never asserts.
 */
public final class InProcessBench {
    private final StagedEncoder encoder;
    private final ModelPreparer.Monolithic monolithic;
    private final LayerHeads heads;
    private final int batchSize;
    private final int repeats;

    public InProcessBench(StagedEncoder encoder, ModelPreparer.Monolithic monolithic, LayerHeads heads,
                          int batchSize, int repeats) {
        this.encoder = encoder;
        this.monolithic = monolithic;
        this.heads = heads;
        this.batchSize = batchSize;
        this.repeats = Math.max(1, repeats);
    }

    /** One measured mode; {@code order} is the staged runner's batch order, {@code paddingEfficiency} its real / computed tokens. */
    public record Row(String mode, String setting, String order, double recordsPerSecond, double meanExitLayer,
                      double idealRecordsPerSecond, double meanBatch, double paddingEfficiency, int records) {
        public double ratioToIdeal() {
            return Double.isNaN(idealRecordsPerSecond) ? Double.NaN : recordsPerSecond / idealRecordsPerSecond;
        }
    }

    /** Median records/s over the repeats of {@code run}. */
    private double measure(int n, Runnable run) {
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            rates.add(Stats.perSecond(n, run));
        }
        return Stats.median(rates);
    }

    public double monolithic(List<Tokens> records) {
        return measure(records.size(), () -> {
            for (int i = 0; i < records.size(); i += batchSize) {
                monolithic.run(records.subList(i, Math.min(records.size(), i + batchSize)));
            }
        });
    }

    /** One staged pass over every record under {@code policy}: [records/s, mean exit layer, mean batch, padding efficiency]. */
    private double[] stagedPass(List<Tokens> records, ExitPolicy policy, BatchOrder order) {
        double[] exitSum = new double[1];
        EarlyExitRunner runner = new EarlyExitRunner(encoder, heads, batchSize, order);
        List<EarlyExitRunner.Fresh> fresh = FreshRecords.of(records, i -> i, policy);
        EarlyExitRunner.Stats[] stats = new EarlyExitRunner.Stats[1];
        double rate = Stats.perSecond(records.size(), () -> stats[0] = runner.runAll(fresh, encoder.numLayers(),
                r -> exitSum[0] += r.layersDone, r -> {
                    throw new IllegalStateException("record " + r.key + " ran past the last layer");
                }));
        return new double[] {rate, exitSum[0] / records.size(), stats[0].meanBatch(), stats[0].paddingEfficiency()};
    }

    /**
     * Every order's staged runs under {@code policy}, passes interleaved; per order the pass with the
     * median records/s ([records/s, mean exit layer, mean batch, padding efficiency]).
     */
    public List<double[]> staged(List<Tokens> records, ExitPolicy policy, List<BatchOrder> orders) {
        List<List<double[]>> passes = new ArrayList<>();
        orders.forEach(o -> passes.add(new ArrayList<>()));
        for (int i = 0; i < repeats; i++) {
            for (int o = 0; o < orders.size(); o++) {
                passes.get(o).add(stagedPass(records, policy, orders.get(o)));
            }
        }
        return passes.stream().map(p -> Stats.medianBy(p, x -> x[0])).toList();
    }

    /** The three modes, the staged ones in every order; PABEE once per patience. A short warm-up first so JIT and ORT allocations settle. */
    public List<Row> run(List<Tokens> records, int[] patiences, List<BatchOrder> orders) {
        int n = records.size();
        int layers = encoder.numLayers();
        List<Tokens> warm = records.subList(0, Math.min(n, 4 * batchSize));
        monolithic.run(warm.subList(0, Math.min(warm.size(), batchSize)));
        for (BatchOrder o : orders) {
            stagedPass(warm, new PatiencePolicy(0), o);
        }

        List<Row> rows = new ArrayList<>();
        double mono = monolithic(records);
        rows.add(new Row("monolithic", "batch=" + batchSize, BatchOrder.ARRIVAL.label(), mono, layers, Double.NaN, batchSize,
                Double.NaN, n));
        List<double[]> full = staged(records, new PatiencePolicy(0), orders);
        for (int o = 0; o < orders.size(); o++) {
            double[] r = full.get(o);
            rows.add(new Row("staged-full", "batch=" + batchSize, orders.get(o).label(), r[0], r[1], mono, r[2], r[3], n));
        }
        for (int p : patiences) {
            List<double[]> pabee = staged(records, new PatiencePolicy(p), orders);
            for (int o = 0; o < orders.size(); o++) {
                double[] r = pabee.get(o);
                rows.add(new Row("pabee", "patience=" + p, orders.get(o).label(), r[0], r[1], mono * layers / r[1], r[2], r[3], n));
            }
        }
        return rows;
    }
}
