package io.atelier.common.scoring;

import io.atelier.common.classify.ClassAccuracy;
import io.atelier.common.classify.ClassifierFeatures;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.eval.Evaluation;
import io.atelier.common.eval.EvaluationOptions;
import io.atelier.common.eval.EvaluationReport;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.families.Families;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.SamplingOptions;
import io.atelier.common.families.cyclegan.CycleGanFamily;
import io.atelier.common.generate.GenerationJob;
import io.atelier.common.generate.GenerationOptions;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;

/**
 * The {@code evaluate} job: a dataset, or samples generated from a training run, scored against
 * real data beside the floor, with per-class accuracy where the feature network is a classifier of
 * the samples' labels; a CycleGAN run is scored as a translation ({@link TranslationScores}). The
 * report is written atomically to {@code out}.
 */
public final class EvaluateJob {
    /**
     * @param report             the scores of a dataset or a run's samples; null for a translation
     * @param fakeDataset        the dataset scored: {@code fake} itself, or the samples made from the run
     * @param fakeClassAccuracy  share of the samples the classifier gives their own label; null where not labelled
     * @param translation        a CycleGAN run's scores (then the others are null); null otherwise
     */
    public record Result(EvaluationReport report, String fakeDataset, Double fakeClassAccuracy,
                         TranslationReport translation) {
    }

    private final SparkSession spark;

    public EvaluateJob(SparkSession spark) {
        this.spark = spark;
    }

    /** @param log one line per step worth telling (samples being generated) */
    public Result run(EvaluateSettings s, Consumer<String> log) {
        s.requireGiven();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (HadoopFiles.exists(new Path(s.out()), conf)) {
            throw new InvalidSettingException("{out} " + s.out() + " already exists; choose a new file or delete it");
        }
        String family = runFamily(s.fake(), conf);
        if (CycleGanFamily.ID.equals(family)) {
            return new Result(null, null, null, new TranslationScores(spark).run(s, log));
        }
        s.requireReal();
        if (s.direction() != null && (family != null || ImageDataset.isDataset(s.fake(), conf))) {
            throw new InvalidSettingException("{direction} " + s.direction() + ": {fake} " + s.fake() + " is "
                    + (family == null ? "a dataset" : "a " + (family.isEmpty() ? "non-CycleGAN" : family) + " run")
                    + ", not a CycleGAN run; leave {direction} off");
        }
        String fake = fakeDataset(s, conf, log);
        EvaluationOptions defaults = EvaluationOptions.of(s.real(), fake);
        EvaluationOptions options = new EvaluationOptions(s.real(), fake, s.split(), s.fakeSplit(), s.count(), s.seed(),
                defaults.batch(), s.reservoir(), defaults.kidSubsets(), defaults.kidSubsetSize(), defaults.k());
        FeatureSource source = FeatureChoice.load(spark, "{features}", s.features());
        EvaluationReport report = new Evaluation(spark).run(source, options);
        ImageDataset fakeData = ImageDataset.open(spark, fake);
        Double accuracy = null;
        if (source instanceof ClassifierFeatures classifier
                && classifier.classNames().equals(fakeData.manifest().labelNames())) {
            // Labelled samples (a class-conditional model's): did each class come out as asked?
            Dataset<Row> rows = fakeData.rows(spark);
            rows = s.fakeSplit() == null ? rows : rows.where(col(DatasetSchema.SPLIT).equalTo(s.fakeSplit()));
            ClassAccuracy.Counts counts = ClassAccuracy.of(rows, classifier, defaults.batch());
            report = report.withFakeClassAccuracy(counts.perClass());
            accuracy = counts.accuracy();
        }
        HadoopFiles.writeAtomically(new Path(s.out()), Json.pretty(report).getBytes(StandardCharsets.UTF_8), conf);
        return new Result(report, fake, accuracy, null);
    }

    /** The family a run directory's config.json records ("" when none), or null when {@code path} is no run. */
    private static String runFamily(String path, Configuration conf) {
        Path config = new Path(path, "config.json");
        if (ImageDataset.isDataset(path, conf) || !HadoopFiles.exists(config, conf)) {
            return null;
        }
        try {
            return Families.familyOf(Json.MAPPER.readTree(HadoopFiles.readAll(config, conf)));
        } catch (java.io.IOException e) {
            throw new InvalidSettingException("{fake} " + path + ": cannot read " + config + ": " + e.getMessage(), e);
        }
    }

    /** {@code fake} as a dataset, or samples generated from a training run with generate's code path. */
    private String fakeDataset(EvaluateSettings s, Configuration conf, Consumer<String> log) {
        if (ImageDataset.isDataset(s.fake(), conf)) {
            return s.fake();
        }
        if (!HadoopFiles.exists(new Path(s.fake(), "config.json"), conf)) {
            throw new InvalidSettingException("{fake} " + s.fake()
                    + " is neither a dataset nor a train-gan or train-diffusion run directory");
        }
        GeneratorSource run = Families.openRun(s.fake(), conf, SamplingOptions.NONE);
        long n = Math.min(s.count(), ImageDataset.open(spark, s.real()).manifest().count(s.split()));
        String samples = s.out() + ".samples";
        if (!ImageDataset.isDataset(samples, conf)) {
            log.accept(String.format("generating %d samples from %s (seed %d) into %s", n, run.name(), s.seed(), samples));
            new GenerationJob(spark).run(run, GenerationOptions.of(Math.max(1, n), samples, s.seed())
                    .withLabels(null, !run.labelNames().isEmpty()), (d, t) -> { });
        }
        return samples;
    }
}
