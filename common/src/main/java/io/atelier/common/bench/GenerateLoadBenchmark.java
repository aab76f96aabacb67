package io.atelier.common.bench;

import io.atelier.common.data.Manifest;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.generate.GenerationJob;
import io.atelier.common.generate.GenerationOptions;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code atelier bench generate-load}: {@code generate} of growing counts from one model, side by
 * side in one driver, with the driver's live heap and resident set and the bytes the tasks sent
 * back to it. Rows stream from the executors into Parquet, so the heap left after a run and the
 * bytes tasks send back must not grow with the count (with a local master the largest samples also
 * hold the tasks' own buffers, which do).
 */
public final class GenerateLoadBenchmark {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GenerateLoadBenchmark.class);

    private GenerateLoadBenchmark() {
    }

    /**
     * @param counts images per run, in the order run (each into a new dataset, deleted after it)
     * @param seed   sampling seed of every run
     */
    public static BenchTable run(SparkSession spark, GeneratorSource source, List<Long> counts, long seed, Path workDir)
            throws java.util.concurrent.TimeoutException {
        int cores = Runtime.getRuntime().availableProcessors();
        BenchTable table = new BenchTable("bench generate-load: " + source.name() + " (" + source.size() + "x"
                + source.size() + "x" + source.channels() + "), master " + spark.sparkContext().master() + ", "
                + cores + " cores, driver -Xmx " + DriverMemory.mib(Runtime.getRuntime().maxMemory()) + " MiB",
                "images", "rows written", "tasks", "seconds", "images/s", "driver live heap MiB (before / median / peak / after)",
                "driver peak RSS MiB", "task results to driver", "load avg (start / end)");
        TaskResults results = new TaskResults();
        spark.sparkContext().addSparkListener(results);
        try {
            for (long count : counts) {
                Path out = workDir.resolve("generated-" + count);
                GenerationOptions options = GenerationOptions.of(count, out.toUri().toString(), seed);
                String loadBefore = DriverMemory.loadAverage();
                spark.sparkContext().listenerBus().waitUntilEmpty();
                results.reset();
                DriverMemory memory = DriverMemory.start();
                long t0 = System.nanoTime();
                Manifest m = new GenerationJob(spark).run(source, options, (done, total) -> { });
                double seconds = (System.nanoTime() - t0) / 1e9;
                DriverMemory.Figures f = memory.stop();
                spark.sparkContext().listenerBus().waitUntilEmpty();
                table.row(String.format("%,d", count), String.format("%,d", m.counts().rows()), results.tasks.get(),
                        BenchSupport.fmt("%.0f", seconds), BenchSupport.fmt("%.0f", count / seconds),
                        DriverMemory.mib(f.before()) + " / " + DriverMemory.mib(f.median()) + " / "
                                + DriverMemory.mib(f.peak()) + " / " + DriverMemory.mib(f.after()),
                        DriverMemory.mib(f.peakResident()), BenchSupport.fmt("%.1f KiB", results.bytes.get() / 1024.0),
                        loadBefore + " / " + DriverMemory.loadAverage());
                // Each row as soon as it is measured: a long run stopped early keeps its earlier figures.
                LOG.info("bench generate-load: {}", table.rows().get(table.rows().size() - 1));
                org.apache.commons.io.FileUtils.deleteQuietly(out.toFile());
            }
        } finally {
            spark.sparkContext().removeSparkListener(results);
        }
        table.note("Each run: GenerationOptions.of(count) (partitions = count / 256, at most 64; batch 64; 8 shards),"
                + " the dataset deleted after its row. Live heap: what a full collection forced every "
                + DriverMemory.PERIOD_MS + " ms leaves in use (garbage never counts). Peak RSS: the kernel's"
                + " high-water mark of this process over the run, reset at its start. Task results: the bytes all"
                + " tasks of the run (generation, shuffle, Parquet write, manifest statistics) sent back to the"
                + " driver, from Spark's task metrics; per-image data collected there would add about "
                + source.size() * source.size() * source.channels() + " bytes an image."
                + (spark.sparkContext().isLocal() ? " Local master: the executors run in this JVM, so its heap and"
                + " RSS include their tasks." : ""));
        return table;
    }

    /** Task count and result bytes of the tasks that end while it listens. */
    private static final class TaskResults extends SparkListener {
        final AtomicLong tasks = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();

        void reset() {
            tasks.set(0);
            bytes.set(0);
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            tasks.incrementAndGet();
            if (end.taskMetrics() != null) {
                bytes.addAndGet(end.taskMetrics().resultSize());
            }
        }
    }
}
