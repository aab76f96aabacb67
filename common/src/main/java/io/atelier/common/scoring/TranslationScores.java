package io.atelier.common.scoring;

import io.atelier.common.Versions;
import io.atelier.common.classify.ClassAccuracy;
import io.atelier.common.classify.ClassifierFeatures;
import io.atelier.common.data.DatasetLayout;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.embed.NetworkFeatures;
import io.atelier.common.eval.EvalSample;
import io.atelier.common.eval.EvaluationOptions;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.eval.FeatureStatistics;
import io.atelier.common.eval.FeatureSummaryJob;
import io.atelier.common.eval.FrechetDistance;
import io.atelier.common.families.cyclegan.CycleGanConfig;
import io.atelier.common.families.cyclegan.CycleGanRun;
import io.atelier.common.families.cyclegan.CycleGanTranslations;
import io.atelier.common.families.cyclegan.CycleGanTranslator.Direction;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Json;
import io.atelier.common.io.Sha256;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

/**
 * {@code evaluate} for a CycleGAN run: up to --count images of --real's split from the direction's
 * source domain (or, for a run trained on two datasets, of the source dataset's split) are translated, and scored against up to --count real images of its target domain
 * from the same split: how often a classifier reads them as the target domain (beside the
 * untranslated images and the real target images), how well they translate back (cycle L1), and
 * their FID (beside the untranslated images' and two halves of the target images'); on a dataset
 * split by file name, also their L1 to the target image of the same name ({@link PairedScores}).
 */
public final class TranslationScores {
    public static final String DEFAULT_DIRECTION = "a2b";
    /** Images per generator call: small, as CycleGAN generators keep full-resolution activations. */
    private static final int TRANSLATE_BATCH = 8;

    private final SparkSession spark;

    public TranslationScores(SparkSession spark) {
        this.spark = spark;
    }

    /** Scores the run {@code s.fake()} and writes the report to {@code s.out()} (checked absent by the caller). */
    public TranslationReport run(EvaluateSettings s, Consumer<String> log) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Direction direction = Direction.of(s.direction() == null ? DEFAULT_DIRECTION : s.direction());
        CycleGanRun run = CycleGanRun.open(s.fake(), conf);
        CycleGanConfig model = run.config();
        List<String> sourceDomain = direction == Direction.A_TO_B ? model.domainA() : model.domainB();
        List<String> targetDomain = run.targetDomain(direction);
        TranslationDomains domains = domains(s, run);
        Manifest m = domains.source(direction).manifest();
        FeatureSource features = FeatureChoice.load(spark, "{features}", s.features());
        if (!features.accepts(m.height(), m.width(), m.channels())) {
            throw new InvalidSettingException(domains.sourceFlag(direction) + " holds " + m.height() + "x" + m.width() + "x"
                    + m.channels() + " images; the feature network takes " + features.accepted() + " (choose another {features})");
        }
        ClassifierFeatures classifier = classifier(s.classifier(), conf);
        String skipped = skipReason(classifier, s.classifier(), targetDomain, m);
        int batch = EvaluationOptions.of(domains.source(direction).path(), s.fake()).batch();

        Dataset<Row> source = EvalSample.of(domains.sourceRows(direction).where(col(DatasetSchema.SPLIT).equalTo(s.split())),
                s.count(), s.seed());
        Dataset<Row> target = EvalSample.of(domains.targetRows(direction).where(col(DatasetSchema.SPLIT).equalTo(s.split())),
                s.count(), s.seed());
        long sourceCount = source.count();
        long targetCount = target.count();
        if (sourceCount < 2 || targetCount < 2) {
            throw new InvalidSettingException(domains.sourceFlag(direction) + " split " + s.split() + " has " + sourceCount
                    + " images of the source domain " + sourceDomain + " and " + targetCount + " of the target domain "
                    + targetDomain + "; FID needs at least 2 of each (choose another {split} or dataset)");
        }

        log.accept(String.format("translating %d %s images %s with %s (round %d)", sourceCount, s.split(),
                direction.id(), s.fake(), run.round()));
        Dataset<Row> translated = CycleGanTranslations.of(source, FeatureSummaryJob.KEY, run, direction, TRANSLATE_BATCH)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            double cycleL1 = translated.agg(avg(CycleGanTranslations.CYCLE_L1)).first().getDouble(0);
            // Target features in two halves by sampling key: their merge is the whole target sample,
            // and the two together give the floor at no extra cost.
            long firstHalf = targetCount / 2;
            long threshold = target.select(FeatureSummaryJob.KEY).orderBy(FeatureSummaryJob.KEY).limit((int) firstHalf)
                    .agg(max(FeatureSummaryJob.KEY)).first().getLong(0);
            FeatureStatistics half1 = statistics(target.where(col(FeatureSummaryJob.KEY).leq(threshold)), features, batch);
            FeatureStatistics half2 = statistics(target.where(col(FeatureSummaryJob.KEY).gt(threshold)), features, batch);
            boolean floor = half1.count() >= 2 && half2.count() >= 2;
            Double floorFid = floor ? FrechetDistance.between(half1, half2) : null;
            FeatureStatistics targetStats = new FeatureStatistics(features.dimension()).merge(half1).merge(half2);
            TranslationReport.Fid fid = new TranslationReport.Fid(
                    FrechetDistance.between(statistics(translated, features, batch), targetStats),
                    FrechetDistance.between(statistics(source, features, batch), targetStats),
                    floorFid, floor ? List.of(half1.count(), half2.count()) : null);

            TranslationReport.Paired paired = null;
            if (PairedScores.pairedByName(m) && PairedScores.pairedByName(domains.target(direction).manifest())) {
                Dataset<Row> targetRows = domains.targetRows(direction);
                paired = PairedScores.of(source, translated, targetRows.where(col(DatasetSchema.SPLIT).equalTo(s.split())),
                        targetRows.where(col(DatasetSchema.SPLIT).equalTo(DatasetSchema.TRAIN)));
            }

            TranslationReport.TargetShare share = null;
            if (skipped == null) {
                List<Integer> targetClasses = new ArrayList<>();
                for (String name : targetDomain) {
                    targetClasses.add(classifier.classNames().indexOf(name));
                }
                share = new TranslationReport.TargetShare(share(translated, classifier, targetClasses, batch),
                        share(source, classifier, targetClasses, batch), share(target, classifier, targetClasses, batch));
            }

            Map<String, Object> d = new LinkedHashMap<>();
            d.put("kind", "translation: a CycleGAN run's generator applied to real images");
            d.put("run", run.provenance(direction));
            if (domains.oneDataset()) {
                d.put("real", side(domains.source(direction), s.split(), conf));
            } else {
                d.put("sourceDataset", side(domains.source(direction), s.split(), conf));
                d.put("targetDataset", side(domains.target(direction), s.split(), conf));
            }
            d.put("countRequested", s.count());
            d.put("sampling", "per domain, the rows with the n smallest xxhash64(seed, id)");
            d.put("seed", s.seed());
            d.put("features", features.provenance());
            d.put("image", features.preprocessing(m.height(), m.width(), m.channels()));
            if (classifier != null) {
                d.put("classifier", classifier.provenance());
            }
            d.put("translations", "rounded to 8-bit pixels before features and classifier, as stored images are");
            d.put("cycleL1", "mean over source images and pixels of |F(G(x)) - x| / 2 on [-1, 1] values, unrounded");
            if (paired != null) {
                d.put("paired", "dataset split by file name: source image x pairs with the split's target image y of "
                        + "its name (the smallest id if several); mean |.| per pixel in [0, 1] on 8-bit images; "
                        + "nearest: the target domain's train image nearest x in L2");
            }
            d.put("fid", "exact mean and covariance (n - 1), float64; floor: target images split in two by sampling key");
            d.put("versions", Versions.all());
            d.put("createdAt", Instant.now().toString());
            TranslationReport report = new TranslationReport(direction.id(), sourceDomain, targetDomain, sourceCount,
                    targetCount, share, skipped, cycleL1, fid, paired, d);
            HadoopFiles.writeAtomically(new Path(s.out()), Json.pretty(report).getBytes(StandardCharsets.UTF_8), conf);
            return report;
        } finally {
            translated.unpersist();
        }
    }

    private TranslationDomains domains(EvaluateSettings s, CycleGanRun run) {
        List<String> datasets = run.domainDatasets();
        if (datasets.isEmpty()) {
            s.requireReal();
            return TranslationDomains.ofLabels(spark, ImageDataset.open(spark, s.real()), "--real", run.config());
        }
        if (s.real() != null && !s.real().isBlank()) {
            throw new InvalidSettingException("{real} " + s.real() + ": {fake} " + s.fake() + " was trained on two datasets"
                    + " ({dataA} " + datasets.get(0) + ", {dataB} " + datasets.get(1) + ") and is scored on them; leave"
                    + " {real} off");
        }
        return TranslationDomains.ofDatasets(spark, datasets.get(0), datasets.get(1), "the run's ", run.config());
    }

    /** The classifier file, or null for none or a shipped feature network's name (which is not a classifier). */
    private ClassifierFeatures classifier(String choice, Configuration conf) {
        if (choice == null || choice.isBlank() || NetworkFeatures.isName(choice)) {
            return null;
        }
        return (ClassifierFeatures) FeatureChoice.load(spark, "{classifier}", choice);
    }

    /** Why the target share cannot be measured, or null when it can. */
    private static String skipReason(ClassifierFeatures classifier, String choice, List<String> targetDomain, Manifest m) {
        if (classifier == null) {
            return choice == null || choice.isBlank() ? "no --classifier given" : "--classifier " + choice
                    + " is a feature network, not a classifier file from `atelier train-classifier`";
        }
        if (!classifier.accepts(m.height(), m.width(), m.channels())) {
            return "the classifier takes " + classifier.accepted() + " images, --real holds " + m.height() + "x"
                    + m.width() + "x" + m.channels();
        }
        List<String> unknown = targetDomain.stream().filter(n -> !classifier.classNames().contains(n)).toList();
        if (!unknown.isEmpty()) {
            return "the classifier does not know the target domain's label(s) " + unknown + " (it knows "
                    + String.join(", ", classifier.classNames()) + "); give --classifier one trained on --real";
        }
        return null;
    }

    private static FeatureStatistics statistics(Dataset<Row> rows, FeatureSource features, int batch) {
        return FeatureSummaryJob.summarise(rows, features, batch, 1).statistics();
    }

    private static double share(Dataset<Row> rows, ClassifierFeatures classifier, List<Integer> classes, int batch) {
        long[] predicted = ClassAccuracy.predictions(rows, classifier, batch);
        long inTarget = 0;
        long all = 0;
        for (int i = 0; i < predicted.length; i++) {
            all += predicted[i];
            inTarget += classes.contains(i) ? predicted[i] : 0;
        }
        return all == 0 ? Double.NaN : (double) inTarget / all;
    }

    private static Map<String, Object> side(ImageDataset dataset, String split, Configuration conf) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", dataset.path());
        m.put("split", split);
        m.put("manifestSha256", Sha256.of(HadoopFiles.readAll(new Path(dataset.path(), DatasetLayout.MANIFEST), conf)));
        return m;
    }
}
