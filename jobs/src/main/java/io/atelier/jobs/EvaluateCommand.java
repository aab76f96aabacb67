package io.atelier.jobs;

import io.atelier.common.classify.ClassAccuracy;
import io.atelier.common.classify.ClassifierFeatures;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.eval.Evaluation;
import io.atelier.common.eval.EvaluationOptions;
import io.atelier.common.eval.EvaluationReport;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.eval.Scores;
import io.atelier.common.families.Families;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.SamplingOptions;
import io.atelier.common.generate.GenerationJob;
import io.atelier.common.generate.GenerationOptions;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;

/** {@code atelier evaluate}: FID, KID, precision/recall of a dataset against real data, beside the floor. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score a dataset (e.g. a generated one) against real data: FID, KID, precision/recall, "
                + "and the floor (the same metrics between two disjoint real samples).")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--real", required = true, paramLabel = "DATASET", description = "Real dataset.")
    String real;

    @Option(names = "--fake", required = true, paramLabel = "DATASET|RUN",
            description = "Dataset to score, or a train-gan run: --count samples are generated from it with generate's"
                    + " code path (seed --seed, every class when conditional) into FILE.json's sibling FILE.samples.")
    String fake;

    static final String DEFAULT_FEATURES = FeatureChoice.DEFAULT;

    @Option(names = "--features", defaultValue = DEFAULT_FEATURES, paramLabel = "MODEL|mobilenet_v2|inception_v3",
            description = FeatureChoice.HELP)
    String features;

    @Option(names = "--split", defaultValue = "test", description = "Split of --real to compare with; the floor uses the other (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--fake-split", paramLabel = "SPLIT", description = "Split of --fake (default: all rows).")
    String fakeSplit;

    @Option(names = "--count", defaultValue = "10000", paramLabel = "N",
            description = "Images per side at most; all samples use the smallest available (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--seed", defaultValue = "42", description = "Sampling and KID subset seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--reservoir", defaultValue = "2000", paramLabel = "N",
            description = "Feature vectors kept per side for KID and precision/recall (default: ${DEFAULT-VALUE}).")
    int reservoir;

    @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "Report to write.")
    String out;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        SparkSession session = SparkSessions.create("evaluate", spark.master);
        Configuration conf = session.sparkContext().hadoopConfiguration();
        if (HadoopFiles.exists(new Path(out), conf)) {
            throw new IllegalArgumentException("--out " + out + " already exists; choose a new file or delete it");
        }
        String fake = fakeDataset(session, conf);
        EvaluationOptions defaults = EvaluationOptions.of(real, fake);
        EvaluationOptions options = new EvaluationOptions(real, fake, split, fakeSplit, count, seed, defaults.batch(),
                reservoir, defaults.kidSubsets(), defaults.kidSubsetSize(), defaults.k());
        FeatureSource source = FeatureChoice.load(session, "--features", features);
        EvaluationReport report = new Evaluation(session).run(source, options);
        ImageDataset fakeData = ImageDataset.open(session, fake);
        if (source instanceof ClassifierFeatures classifier
                && classifier.classNames().equals(fakeData.manifest().labelNames())) {
            // Labelled samples (a class-conditional model's): did each class come out as asked?
            Dataset<Row> rows = fakeData.rows(session);
            rows = fakeSplit == null ? rows : rows.where(col(DatasetSchema.SPLIT).equalTo(fakeSplit));
            ClassAccuracy.Counts counts = ClassAccuracy.of(rows, classifier, defaults.batch());
            report = report.withFakeClassAccuracy(counts.perClass());
            System.out.printf("fake images classified as their label: %.4f%n", counts.accuracy());
        }
        HadoopFiles.writeAtomically(new Path(out), Json.pretty(report).getBytes(StandardCharsets.UTF_8), conf);
        print("score", report.scores());
        print("floor", report.floor());
        System.out.printf("FID / floor  %.2f%n", report.fidOverFloor());
        System.out.println("features computed on: " + String.join("; ",
                (java.util.List<String>) report.definition().getOrDefault("devices", java.util.List.of())));
        System.out.println("report: " + out);
        return 0;
    }

    /** --fake as a dataset, or samples generated from a training run with generate's code path. */
    private String fakeDataset(SparkSession session, Configuration conf) {
        if (ImageDataset.isDataset(fake, conf)) {
            return fake;
        }
        if (!HadoopFiles.exists(new Path(fake, "config.json"), conf)) {
            throw new IllegalArgumentException("--fake " + fake + " is neither a dataset nor a train-gan or train-diffusion run directory");
        }
        GeneratorSource run = Families.openRun(fake, conf, SamplingOptions.NONE);
        long n = Math.min(count, ImageDataset.open(session, real).manifest().count(split));
        String samples = out + ".samples";
        if (!ImageDataset.isDataset(samples, conf)) {
            System.out.printf("generating %d samples from %s (seed %d) into %s%n", n, run.name(), seed, samples);
            new GenerationJob(session).run(run, GenerationOptions.of(Math.max(1, n), samples, seed)
                    .withLabels(null, !run.labelNames().isEmpty()), (d, t) -> { });
        }
        return samples;
    }

    private static void print(String what, Scores s) {
        System.out.printf("%-6s FID %.4f  KID %.5f ± %.5f  precision %.3f  recall %.3f  (n %d)%n", what, s.fid(),
                s.kidMean(), s.kidStd(), s.precision(), s.recall(), s.realCount());
    }
}
