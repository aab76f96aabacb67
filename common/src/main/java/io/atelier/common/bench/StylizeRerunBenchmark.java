package io.atelier.common.bench;

import io.atelier.common.io.HadoopFiles;
import io.atelier.common.style.FastStyleModel;
import io.atelier.common.stylize.StylizeJob;
import io.atelier.common.stylize.StylizeOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code atelier bench stylize-rerun}: per catalog of small synthetic images, {@code stylize
 * --method fast} over all of it (time, images/s, the executors' live heap over its work stage),
 * then two re-runs with nothing to do, one after the other in the same session: first with the
 * output's listing removed (every image decoded to learn its id, as before listings existed),
 * then with it (ids of unchanged files from the listing). The machine's 1-minute load average is
 * read before each, since other work on a shared machine slows each run differently.
 */
public final class StylizeRerunBenchmark {
    private StylizeRerunBenchmark() {
    }

    /**
     * @param catalogs catalog sizes
     * @param width    synthetic images' width (height: three quarters of it)
     * @param size     stylize --size
     */
    public record Options(List<Integer> catalogs, int width, int size, Path workDir) {
    }

    public static BenchTable run(Supplier<SparkSession> sessions, Options o) throws IOException {
        Configuration conf = new Configuration();
        FastStyleModel model = StylizeBenchmark.untrained();
        Path modelDir = o.workDir().resolve("model");
        model.save(modelDir.toString(), conf);
        BenchTable table = new BenchTable("bench stylize-rerun (fast method, untrained 16 ch, 3 blocks; " + o.width() + "x"
                + (o.width() * 3 / 4) + " JPEGs resized to " + o.size() + " px)", "measure", "catalog", "value", "load (1 min)");
        String master = null;
        for (int n : o.catalogs()) {
            Path catalog = o.workDir().resolve("catalog-" + n);
            SyntheticPhotos.write(catalog, n, o.width(), o.width() * 3 / 4, n);
            Path out = o.workDir().resolve("out-" + n);
            StylizeOptions so = StylizeOptions.of(catalog.toString(), List.of(), List.of(modelDir.toString()),
                    out.toString(), StylizeOptions.Method.FAST).withSize(o.size());
            SparkSession spark = sessions.get();
            try {
                master = spark.sparkContext().master();
                String setting = String.format("%,d images", n);
                WorkStageClock clock = new WorkStageClock();
                spark.sparkContext().addSparkListener(clock);
                String load = load();
                ExecutorHeap.start(spark);
                long t0 = System.nanoTime();
                StylizeJob.Summary first = new StylizeJob(spark).run(so, StylizeJob.Progress.NONE);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, ExecutorHeap.Samples> samples = ExecutorHeap.stop(spark);
                spark.sparkContext().removeSparkListener(clock);
                long workStart = clock.startedAt() == 0 ? Long.MIN_VALUE : clock.startedAt();
                Map<String, ExecutorHeap.Figures> work = StylizeBenchmark.window(samples, workStart, Long.MAX_VALUE);
                table.row("first run: stylized, time", setting, String.format("%d stylized, %d quarantined in %.0f s"
                        + " (%.1f images/s)", first.stylized(), first.quarantined(), seconds, first.stylized() / seconds), load);
                table.row("first run: executor live heap, work stage median / p95 (MiB)", setting,
                        StylizeBenchmark.mib(work, ExecutorHeap.Figures::median) + " / "
                                + StylizeBenchmark.mib(work, ExecutorHeap.Figures::p95), "");
                table.row("  p95 of its first / last quarter; largest (MiB)", setting,
                        StylizeBenchmark.mib(work, ExecutorHeap.Figures::earlyP95) + " / "
                                + StylizeBenchmark.mib(work, ExecutorHeap.Figures::lateP95) + "; "
                                + StylizeBenchmark.mib(work, ExecutorHeap.Figures::peak) + " at "
                                + StylizeBenchmark.seconds(work, ExecutorHeap.Figures::peakAtSeconds) + " s of "
                                + StylizeBenchmark.seconds(work, ExecutorHeap.Figures::seconds), "");
                // The listing is only a shortcut: without it the re-run decodes, as every re-run did before.
                HadoopFiles.deleteRecursively(new org.apache.hadoop.fs.Path(out.toString(), "_listing"), conf);
                String decodeLoad = load();
                Rerun decode = rerun(spark, so);
                String listingLoad = load();
                Rerun listed = rerun(spark, so);
                table.row("re-run, nothing to do: decode path (no listing)", setting, decode.toString(), decodeLoad);
                table.row("re-run, nothing to do: listing path", setting, listed.toString(), listingLoad);
                table.row("  decode path / listing path", setting, String.format("%.1fx", decode.seconds / listed.seconds),
                        "");
            } finally {
                spark.stop();
            }
        }
        if (master != null) {
            table.note("Master " + master + ". Live heap: what a full collection leaves in use, sampled in each"
                    + " executor every " + ExecutorHeap.PERIOD_MS + " ms (as bench stylize samples it), over the work"
                    + " stage of the first run; flat means the last quarter's p95 is no higher than the first's. A"
                    + " re-run's time is the whole job (listing, checking, planning; nothing is stylized). Load: the"
                    + " machine's 1-minute load average just before the run.");
        }
        return table;
    }

    private record Rerun(double seconds, StylizeJob.Summary summary) {
        @Override
        public String toString() {
            return String.format("%.1f s (%d decoded, %d skipped, %d stylized)", seconds, summary.decoded(),
                    summary.skipped(), summary.stylized());
        }
    }

    private static Rerun rerun(SparkSession spark, StylizeOptions so) {
        long t0 = System.nanoTime();
        StylizeJob.Summary s = new StylizeJob(spark).run(so, StylizeJob.Progress.NONE);
        return new Rerun((System.nanoTime() - t0) / 1e9, s);
    }

    private static String load() {
        return String.format("%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
