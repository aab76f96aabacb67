package io.atelier.common.bench;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.eval.EvalSample;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.eval.FeatureSummary;
import io.atelier.common.eval.FeatureSummaryJob;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Arrays;

/**
 * Images per second of the evaluation's distributed part (decode, feature extraction, statistics
 * and reservoir) on 1 and 2 workers (partitions) over the same cached sample.
 */
public final class EvaluationBenchmark {
    private EvaluationBenchmark() {
    }

    public static BenchTable run(SparkSession spark, String dataset, FeatureSource features, int images, int repeats) {
        Dataset<Row> sample = EvalSample.of(ImageDataset.open(spark, dataset).rows(spark), images, 1)
                .select(DatasetSchema.IMAGE, FeatureSummaryJob.KEY).cache();
        long n = sample.count();
        FeatureSummaryJob.summarise(sample.repartition(2), features, 64, 1000); // warm-up: JIT, native libraries
        BenchTable table = new BenchTable("bench evaluate: " + n + " images " + features.size() + "x" + features.size()
                + ", features " + features.dimension() + "-d, median of " + repeats,
                "workers", "seconds", "images/s", "speed-up");
        double base = 0;
        for (int workers : new int[]{1, 2}) {
            Dataset<Row> parts = workers == 1 ? sample.coalesce(1) : sample.repartition(workers).cache();
            parts.count();
            double[] seconds = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                FeatureSummary s = FeatureSummaryJob.summarise(parts, features, 64, 1000);
                seconds[r] = (System.nanoTime() - t0) / 1e9;
                if (s.statistics().count() != n) {
                    throw new IllegalStateException("summarised " + s.statistics().count() + " of " + n + " images");
                }
            }
            Arrays.sort(seconds);
            double median = seconds[repeats / 2];
            base = workers == 1 ? median : base;
            table.row(workers, String.format("%.2f", median), String.format("%.0f", n / median),
                    String.format("%.2f", base / median));
        }
        sample.unpersist();
        return table.note("workers are Spark partitions on this session's executors; speed-up needs as many free cores");
    }
}
