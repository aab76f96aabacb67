package io.atelier.jobs;

import io.atelier.common.bench.EvaluationBenchmark;
import io.atelier.common.bench.IngestBenchmark;
import io.atelier.common.classify.ClassifierFeatures;
import io.atelier.common.io.Json;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code atelier bench <what>}: side-by-side measurements printed as a table. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print a table of side-by-side measurements.",
        subcommands = {BenchCommand.IngestBench.class, BenchCommand.EvaluateBench.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "atelier ingest vs Spark's image data source on the same synthetic JPEGs.")
    static final class IngestBench implements Callable<Integer> {
        @Option(names = "--images", defaultValue = "2000", description = "JPEGs to generate (default: ${DEFAULT-VALUE}).")
        int images;

        @Option(names = "--size", defaultValue = "64", description = "Atelier's stored size (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--repeats", defaultValue = "3", description = "Timed runs of each (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--work-dir", description = "Scratch directory (default: a new temporary one, deleted after).")
        Path workDir;

        @Option(names = "--json", description = "Also print the rows as one JSON line.")
        boolean json;

        @Mixin
        SparkOptions spark;

        @Override
        public Integer call() throws Exception {
            SparkSession session = SparkSessions.create("bench ingest", spark.master);
            boolean temporary = workDir == null;
            Path dir = temporary ? Files.createTempDirectory("atelier-bench-ingest") : workDir;
            try {
                var table = IngestBenchmark.run(session, dir, images, size, repeats);
                table.print(System.out);
                if (json) {
                    System.out.println(Json.line(table.rows()));
                }
            } finally {
                if (temporary) {
                    org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
                }
            }
            return 0;
        }
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true,
            description = "Images/s of evaluation's feature extraction + statistics on 1 and 2 workers.")
    static final class EvaluateBench implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "DATASET", description = "Images to summarise.")
        String data;

        @Option(names = "--features", required = true, paramLabel = "MODEL", description = "Feature network (train-classifier output).")
        String features;

        @Option(names = "--images", defaultValue = "4000", description = "Images per run (default: ${DEFAULT-VALUE}).")
        int images;

        @Option(names = "--repeats", defaultValue = "3", description = "Timed runs of each (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Mixin
        SparkOptions spark;

        @Override
        public Integer call() {
            SparkSession session = SparkSessions.create("bench evaluate", spark.master);
            EvaluationBenchmark.run(session, data, ClassifierFeatures.load(features,
                    session.sparkContext().hadoopConfiguration()), images, repeats).print(System.out);
            return 0;
        }
    }
}
