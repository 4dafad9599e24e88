package io.pabee.bench;

import io.pabee.patience.ExitPolicy;
import io.pabee.patience.PatiencePolicy;
import io.pabee.prepare.ModelPreparer;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.LayerHeads;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.Tokens;
import java.util.ArrayList;
import java.util.List;

/**
 * Records per second of (a) the monolithic model, (b) the staged model at full depth and (c) PABEE
 * with dynamic re-batching, all at the same batch size on the same records in the same order.
 * A benchmark, not a test: it measures, it never asserts.
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

    /** One measured mode. */
    public record Row(String mode, String setting, double recordsPerSecond, double meanExitLayer,
                      double idealRecordsPerSecond, double meanBatch, int records) {
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

    /** Runs every record under {@code policy}; returns [records/s, mean exit layer, mean batch]. */
    public double[] staged(List<Tokens> records, ExitPolicy policy) {
        double[] exitSum = new double[1];
        double[] meanBatch = new double[1];
        EarlyExitRunner runner = new EarlyExitRunner(encoder, heads, batchSize);
        double rate = measure(records.size(), () -> {
            List<EarlyExitRunner.Fresh> fresh = FreshRecords.of(records, i -> i, policy);
            exitSum[0] = 0;
            EarlyExitRunner.Stats s = runner.runAll(fresh, encoder.numLayers(), r -> exitSum[0] += r.layersDone, r -> {
                throw new IllegalStateException("record " + r.key + " ran past the last layer");
            });
            meanBatch[0] = s.meanBatch();
        });
        return new double[] {rate, exitSum[0] / records.size(), meanBatch[0]};
    }

    /** The three modes; PABEE once per patience. A short warm-up first so JIT and ORT allocations settle. */
    public List<Row> run(List<Tokens> records, int[] patiences) {
        int n = records.size();
        int layers = encoder.numLayers();
        List<Tokens> warm = records.subList(0, Math.min(n, 4 * batchSize));
        monolithic.run(warm.subList(0, Math.min(warm.size(), batchSize)));
        staged(warm, new PatiencePolicy(0));

        List<Row> rows = new ArrayList<>();
        double mono = monolithic(records);
        rows.add(new Row("monolithic", "batch=" + batchSize, mono, layers, Double.NaN, batchSize, n));
        double[] full = staged(records, new PatiencePolicy(0));
        rows.add(new Row("staged-full", "batch=" + batchSize, full[0], full[1], mono, full[2], n));
        for (int p : patiences) {
            double[] r = staged(records, new PatiencePolicy(p));
            rows.add(new Row("pabee", "patience=" + p, r[0], r[1], mono * layers / r[1], r[2], n));
        }
        return rows;
    }
}
