package io.atelier.common.families.cyclegan;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.ModelFamily;
import io.atelier.common.families.SamplingOptions;
import io.atelier.common.families.TrainingPlan;
import io.atelier.common.families.TrainingSettings;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.runs.TrainedRun;
import io.atelier.common.train.TrainingInputs;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * CycleGAN (unpaired translation between two domains) as a registered family. A run translates
 * images rather than sampling them from noise, so it is not a generator for {@code generate}.
 */
public final class CycleGanFamily implements ModelFamily {
    public static final String ID = CycleGanSettings.MODEL;
    /** Keys of the run's config.json. */
    public static final String CONFIG_MODEL = "cyclegan";
    static final String CONFIG_LABELS = "labelNames";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public CycleGanSettings defaults() {
        return CycleGanSettings.DEFAULTS;
    }

    @Override
    public TrainingPlan plan(SparkSession spark, TrainingSettings settings, ImageDataset dataset) {
        CycleGanSettings s = (CycleGanSettings) settings;
        if (s.twoDatasets()) {
            return planOfTwo(spark, s, dataset, ImageDataset.open(spark, s.dataB()));
        }
        Manifest manifest = dataset.manifest();
        TrainingInputs.requireTrainable(manifest, s.data(), s.workers(), s.batch());
        CycleGanConfig model = s.cyclegan(manifest);
        requireTrainImages(manifest, s.data(), "A", model.domainA(), model.classesA());
        requireTrainImages(manifest, s.data(), "B", model.domainB(), model.classesB());
        float[] gridA = gridImages(spark, dataset, model.classesA(), s.sampleCount());
        float[] gridB = gridImages(spark, dataset, model.classesB(), s.sampleCount());
        return plan(model, gridA, gridB, manifest.labelNames());
    }

    /**
     * Two datasets, one per domain: the engine labels their rows 0 (A) and 1 (B), and each
     * domain's grid images come from its own dataset.
     */
    private static TrainingPlan planOfTwo(SparkSession spark, CycleGanSettings s, ImageDataset a, ImageDataset b) {
        TrainingInputs.requireSameGeometry(List.of(a, b));
        requireTrainImages(a.manifest(), "A", s.dataA());
        requireTrainImages(b.manifest(), "B", s.dataB());
        TrainingInputs.requireTrainable(a.manifest(), "{dataA}", s.dataA(), s.workers(), s.batch());
        TrainingInputs.requireTrainable(b.manifest(), "{dataB}", s.dataB(), s.workers(), s.batch());
        CycleGanConfig model = s.cycleganOfTwo(a.manifest());
        float[] gridA = gridImages(spark, a, null, s.sampleCount());
        float[] gridB = gridImages(spark, b, null, s.sampleCount());
        return plan(model, gridA, gridB, List.of(model.domainA().get(0), model.domainB().get(0)));
    }

    /** @param labelNames the names of the labels the trainer sees, recorded in config.json */
    private static TrainingPlan plan(CycleGanConfig model, float[] gridA, float[] gridB, List<String> labelNames) {
        Map<String, Object> sections = new LinkedHashMap<>();
        sections.put(CONFIG_MODEL, model);
        sections.put(CONFIG_LABELS, labelNames);
        // No generator of samples: between rounds a translation is scored instead (the model config is in sections).
        return new TrainingPlan(new CycleGanTrainer(model, gridA, gridB), sections, null);
    }

    /** A dataset given as a whole domain needs train images; say which one has none before any data moves. */
    private static void requireTrainImages(Manifest manifest, String domain, String data) {
        if (manifest.count(DatasetSchema.TRAIN) == 0) {
            throw new InvalidSettingException("{data" + domain + "} " + data + ": domain "
                    + domain + " is empty (the dataset has no train images); re-ingest it with a smaller {testFraction}");
        }
    }

    @Override
    public GeneratorSource openRun(TrainedRun run, SamplingOptions options) {
        throw new InvalidSettingException("{model} " + run.runDir() + " is a CycleGAN run: it translates images instead of"
                + " sampling them, so generate cannot use it");
    }

    /** An empty domain would only fail on the executors; say so before any data moves. */
    private static void requireTrainImages(Manifest manifest, String data, String domain, List<String> names,
                                           List<Integer> classes) {
        Map<String, Map<String, Long>> perLabel = manifest.counts().perLabel();
        long n = 0;
        for (int c : classes) {
            n += perLabel == null ? 0 : perLabel.getOrDefault(String.valueOf(c), Map.of()).getOrDefault(DatasetSchema.TRAIN, 0L);
        }
        if (n == 0) {
            throw new InvalidSettingException("{domain" + domain + "} " + names
                    + ": {data} " + data + " has no train images with these labels");
        }
    }

    /**
     * The first {@code count} images of a domain by id, from the test split (from the train split
     * when the test split holds none), as NHWC floats in [-1, 1] (RGB): fixed for the whole run.
     *
     * @param classes the domain's labels, or null when the whole dataset is the domain
     */
    private static float[] gridImages(SparkSession spark, ImageDataset dataset, List<Integer> classes, int count) {
        if (count < 1) {
            return new float[0];
        }
        for (String split : List.of(DatasetSchema.TEST, DatasetSchema.TRAIN)) {
            List<Row> rows = dataset.rows(spark)
                    .where(classes == null ? col(DatasetSchema.SPLIT).equalTo(split)
                            : col(DatasetSchema.SPLIT).equalTo(split).and(col(DatasetSchema.LABEL).isin(classes.toArray())))
                    .orderBy(DatasetSchema.ID)
                    .select(DatasetSchema.IMAGE)
                    .limit(count)
                    .collectAsList();
            if (!rows.isEmpty()) {
                List<SparkImage> images = rows.stream().map(r -> SparkImage.fromRow(r.getStruct(0))).toList();
                return HostArrays.toArray(PixelAdapter.toNhwc(images));
            }
        }
        return new float[0];
    }
}
