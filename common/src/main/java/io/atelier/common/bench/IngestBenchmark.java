package io.atelier.common.bench;

import io.atelier.common.data.ingest.Ingest;
import io.atelier.common.data.ingest.IngestOptions;
import io.atelier.common.data.ingest.IngestProgress;
import io.atelier.common.data.ingest.IngestSummary;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code atelier ingest} against Spark's built-in {@code image} source reading the same JPEGs
 * and writing Parquet, alternated in one JVM so both see the same machine state.
 */
public final class IngestBenchmark {
    private IngestBenchmark() {
    }

    public static BenchTable run(SparkSession spark, Path workDir, int images, int size, int repeats) throws IOException {
        Path photos = workDir.resolve("photos");
        SyntheticPhotos.write(photos, images, 320, 240, 7);
        String input = photos.toUri().toString();

        // Warm-up: class loading, JIT and Spark's first-job costs are not what we compare.
        atelier(spark, input, workDir.resolve("warm-atelier"), size);
        builtin(spark, input, workDir.resolve("warm-builtin"));

        List<Double> atelierSeconds = new ArrayList<>();
        List<Double> builtinSeconds = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            atelierSeconds.add(atelier(spark, input, workDir.resolve("atelier-" + r), size));
            builtinSeconds.add(builtin(spark, input, workDir.resolve("builtin-" + r)));
        }
        double a = median(atelierSeconds);
        double b = median(builtinSeconds);
        int cores = Runtime.getRuntime().availableProcessors();
        return new BenchTable("bench ingest: " + images + " JPEGs 320x240 -> Parquet, median of " + repeats
                + " runs, master " + spark.sparkContext().master() + ", " + cores + " cores",
                "pipeline", "seconds", "images/s", "vs built-in")
                .row("atelier ingest (decode, fit " + size + "px, dedup, shard, manifest)", a, images / a, b / a)
                .row("spark image source -> parquet (full-size BGR rows)", b, images / b, 1.0)
                .note(String.format("ratio (atelier images/s / built-in images/s): %.2fx", b / a));
    }

    private static double atelier(SparkSession spark, String input, Path out, int size) {
        long t0 = System.nanoTime();
        IngestSummary s = new Ingest(spark, IngestOptions.of(List.of(input), out.toUri().toString(), size)
                .withChannels(3)).run(IngestProgress.NONE);
        if (s.accepted() == 0) {
            throw new IllegalStateException("benchmark ingest accepted nothing: " + s.line());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double builtin(SparkSession spark, String input, Path out) {
        long t0 = System.nanoTime();
        spark.read().format("image").load(input).write().parquet(out.toUri().toString());
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
