package io.atelier.common.bench;

import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.style.FastStyleModel;
import io.atelier.common.style.FastStylizer;
import io.atelier.common.style.GatysImageStylizer;
import io.atelier.common.style.GatysOptions;
import io.atelier.common.style.TransformerNet;
import io.atelier.common.stylize.StylizeJob;
import io.atelier.common.stylize.StylizeOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code atelier bench stylize}: the fast method's images/s at two sizes (one forward pass each,
 * in this JVM), Gatys seconds per image per 100 iterations, and the stylize job's executor memory
 * (live heap and resident set, its work stage apart from listing and planning) over catalogs of
 * growing size, measured inside the executors (it must not grow: rows stream through tasks).
 */
public final class StylizeBenchmark {
    private StylizeBenchmark() {
    }

    /**
     * @param model           fast model directory, or null for an untrained network of the shipped shape
     * @param fastImages      images timed per fast size
     * @param gatysIterations Gatys iterations timed (scaled to 100 in the table)
     * @param catalogs        catalog sizes for the memory runs
     * @param catalogSize     --size of the memory runs (small, so they measure the job, not the network)
     */
    public record Options(String model, String style, List<Integer> fastSizes, int fastImages, int gatysIterations,
                          List<Integer> catalogs, int catalogSize, Path workDir) {
    }

    /**
     * @param sessions makes the Spark session of one catalog's memory runs, stopped after them, so
     *                 each catalog starts in fresh executor JVMs (a heap grown by one catalog's
     *                 run does not carry into the next)
     */
    public static BenchTable run(Supplier<SparkSession> sessions, Options o) throws IOException {
        Configuration conf = new Configuration();
        FastStyleModel model = o.model() != null ? FastStyleModel.load(o.model(), conf) : untrained();
        BenchTable table = new BenchTable("bench stylize (model " + (o.model() != null ? o.model() : "untrained, 16 ch, 3 blocks")
                + ")", "measure", "setting", "value");
        Path photos = o.workDir().resolve("photos");
        SyntheticPhotos.write(photos, Math.max(4, o.fastImages()), 640, 480, 7);
        List<BufferedImage> inputs = new ArrayList<>();
        try (var files = Files.list(photos)) {
            for (Path p : files.sorted().limit(Math.max(4, o.fastImages())).toList()) {
                inputs.add(ImageIO.read(p.toFile()));
            }
        }
        for (int size : o.fastSizes()) {
            // Both graph designs, alternating image by image so load on the machine hits both alike.
            FastStylizer perShape = new FastStylizer(model, size, false, true);
            FastStylizer anySize = new FastStylizer(model, size, false, false);
            perShape.stylize(inputs.get(0)); // warm-up: graph preparation and native kernels
            anySize.stylize(inputs.get(0));
            FastStylizer[] both = {perShape, anySize};
            double[] seconds = new double[2];
            for (int i = 0; i < o.fastImages(); i++) {
                for (int k = 0; k < 2; k++) {
                    long t0 = System.nanoTime();
                    both[k].stylize(inputs.get(i % inputs.size()));
                    seconds[k] += (System.nanoTime() - t0) / 1e9;
                }
            }
            table.row("fast images/s", size + " px", String.format("%.2f", o.fastImages() / seconds[0]));
            table.row("fast images/s, one any-size graph (pad-op borders)", size + " px",
                    String.format("%.2f (per-shape graphs %.1fx faster)", o.fastImages() / seconds[1],
                            seconds[1] / seconds[0]));
        }
        if (o.gatysIterations() > 0) {
            ExtractorSpec spec = ExtractorSpec.resolve("mobilenet_v2", null, null, conf);
            KerasFeatureNetwork net = (KerasFeatureNetwork) spec.build();
            BufferedImage style = ImageIO.read(Path.of(o.style()).toFile());
            GatysImageStylizer gatys = new GatysImageStylizer(net, style,
                    GatysOptions.defaults("mobilenet_v2").withIterations(o.gatysIterations()), 256, 1, false);
            long t0 = System.nanoTime();
            gatys.stylize(inputs.get(0));
            double seconds = (System.nanoTime() - t0) / 1e9;
            table.row("gatys s/image per 100 iterations", "256 px, mobilenet_v2, L-BFGS",
                    String.format("%.1f (timed %d iterations)", seconds * 100 / o.gatysIterations(), o.gatysIterations()));
        }
        Path modelDir = o.workDir().resolve("model");
        model.save(modelDir.toString(), conf);
        String master = null;
        for (int n : o.catalogs()) {
            Path catalog = o.workDir().resolve("catalog-" + n);
            SyntheticPhotos.write(catalog, n, 160, 120, n);
            StylizeOptions so = StylizeOptions.of(catalog.toString(), List.of(), List.of(modelDir.toString()),
                    o.workDir().resolve("out-" + n).toString(), StylizeOptions.Method.FAST).withSize(o.catalogSize());
            SparkSession spark = sessions.get();
            try {
                master = spark.sparkContext().master();
                measure(spark, so, n, o.catalogSize(), table);
            } finally {
                spark.stop();
            }
        }
        if (master != null) {
            table.note("Master " + master + (master.startsWith("local[") || master.equals("local")
                    ? ": local mode, so the executor is the driver's JVM and its figure includes the driver's bookkeeping."
                    : ": executors in their own JVMs, started afresh for each catalog.") + " Live heap: what a full"
                    + " collection, which each executor forces every " + ExecutorHeap.PERIOD_MS + " ms, leaves in"
                    + " use, as the collector reports it at its end, so garbage never counts (not even garbage made"
                    + " while the sampler waits for a core), taken apart into the work stage (from the start of its"
                    + " Spark job: the stylize map stage and its small to-do shuffle) and what comes before it"
                    + " (listing, checking and planning, whose Spark SQL sorts and aggregates hold pages of execution"
                    + " memory). Work stage: median, 95th percentile (also over its first and last quarters of"
                    + " samples: a leak raises the last above the first) and largest sample, whatever the tasks hold"
                    + " at that one moment. Re-run: the same job again over the"
                    + " finished output, as a scheduled run with no new images (listing and planning only). Resident"
                    + " set: the executor process's memory in RAM (heap pages, ND4J's native buffers, threads), read"
                    + " with each sample; its peak is the kernel's high-water mark over the whole job, reset when each"
                    + " run starts.");
        }
        return table;
    }

    /** One catalog's first run (everything to do) and its re-run (nothing to do), in one session. */
    private static void measure(SparkSession spark, StylizeOptions so, int n, int catalogSize, BenchTable table) {
        WorkStageClock clock = new WorkStageClock();
        spark.sparkContext().addSparkListener(clock);
        try {
            ExecutorHeap.start(spark);
            long t0 = System.nanoTime();
            StylizeJob.Summary s = new StylizeJob(spark).run(so, StylizeJob.Progress.NONE);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, ExecutorHeap.Samples> samples = ExecutorHeap.stop(spark);
            // The listener bus delivers the work stage's start long before the stage ends.
            long workStart = clock.startedAt() == 0 ? Long.MIN_VALUE : clock.startedAt();
            Map<String, ExecutorHeap.Figures> work = window(samples, workStart, Long.MAX_VALUE);
            Map<String, ExecutorHeap.Figures> planning = window(samples, Long.MIN_VALUE, workStart);
            String setting = n + " images, " + catalogSize + " px";
            String stage = n + " images, work stage";
            table.row("executor live heap, median (MiB)", stage, mib(work, ExecutorHeap.Figures::median)
                    + String.format(" (%d stylized, %.1f images/s)", s.stylized(), s.stylized() / seconds));
            table.row("executor live heap, 95th percentile (MiB)", stage, mib(work, ExecutorHeap.Figures::p95));
            table.row("  first / last quarter of the stage", stage, mib(work, ExecutorHeap.Figures::earlyP95)
                    + " / " + mib(work, ExecutorHeap.Figures::lateP95));
            table.row("executor live heap, largest sample (MiB)", stage, mib(work, ExecutorHeap.Figures::peak)
                    + " at " + seconds(work, ExecutorHeap.Figures::peakAtSeconds) + " s of "
                    + seconds(work, ExecutorHeap.Figures::seconds));
            table.row("executor live heap, largest sample (MiB)", n + " images, listing and planning",
                    mib(planning, ExecutorHeap.Figures::peak) + " (median " + mib(planning, ExecutorHeap.Figures::median)
                            + ", over " + seconds(planning, ExecutorHeap.Figures::seconds) + " s)");
            table.row("executor live heap after the job (MiB)", setting, mib(work, ExecutorHeap.Figures::after));
            table.row("executor resident set, largest sample (MiB)", stage, mib(work, ExecutorHeap.Figures::sampledResident));
            table.row("executor resident set, largest sample (MiB)", n + " images, listing and planning",
                    mib(planning, ExecutorHeap.Figures::sampledResident));
            table.row("executor peak resident set (MiB)", setting + ", whole job",
                    mib(work, ExecutorHeap.Figures::peakResident));
            ExecutorHeap.start(spark);
            StylizeJob.Summary again = new StylizeJob(spark).run(so, StylizeJob.Progress.NONE);
            Map<String, ExecutorHeap.Figures> rerun = window(ExecutorHeap.stop(spark), Long.MIN_VALUE, Long.MAX_VALUE);
            table.row("executor live heap, largest sample (MiB)", n + " images, re-run with nothing to do",
                    mib(rerun, ExecutorHeap.Figures::peak) + " (median " + mib(rerun, ExecutorHeap.Figures::median)
                            + String.format(", %.1f s, %d skipped, %d stylized)", again.seconds(), again.skipped(),
                            again.stylized()));
            table.row("executor peak resident set (MiB)", n + " images, re-run with nothing to do",
                    mib(rerun, ExecutorHeap.Figures::peakResident));
        } finally {
            spark.sparkContext().removeSparkListener(clock);
        }
    }

    static Map<String, ExecutorHeap.Figures> window(Map<String, ExecutorHeap.Samples> samples, long from,
                                                             long to) {
        Map<String, ExecutorHeap.Figures> figures = new java.util.TreeMap<>();
        samples.forEach((id, s) -> figures.put(id, s.figures(from, to)));
        return figures;
    }

    static String mib(Map<String, ExecutorHeap.Figures> heaps,
                              java.util.function.ToLongFunction<ExecutorHeap.Figures> figure) {
        return perExecutor(heaps, f -> {
            long bytes = figure.applyAsLong(f);
            return bytes < 0 ? "n/a" : String.format("%.0f", bytes / (1024.0 * 1024.0));
        });
    }

    static String seconds(Map<String, ExecutorHeap.Figures> heaps,
                                  java.util.function.ToDoubleFunction<ExecutorHeap.Figures> figure) {
        return perExecutor(heaps, f -> String.format("%.0f", figure.applyAsDouble(f)));
    }

    /** One value per executor, comma-separated, each named by its executor id when there are several. */
    private static String perExecutor(Map<String, ExecutorHeap.Figures> heaps,
                                      java.util.function.Function<ExecutorHeap.Figures, String> value) {
        StringBuilder out = new StringBuilder();
        heaps.forEach((id, f) -> out.append(out.length() == 0 ? "" : ", ").append(value.apply(f))
                .append(heaps.size() > 1 ? " (" + id + ")" : ""));
        return out.toString();
    }

    static FastStyleModel untrained() {
        TransformerNet.Config c = new TransformerNet.Config(16, 3);
        return new FastStyleModel("untrained", "none", c, TransformerNet.initial(c, 1), Map.of());
    }
}
