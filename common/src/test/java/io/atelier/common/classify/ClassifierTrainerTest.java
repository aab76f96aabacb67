package io.atelier.common.classify;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.DatasetWriter;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.eval.Evaluation;
import io.atelier.common.eval.EvaluationOptions;
import io.atelier.common.eval.EvaluationReport;
import io.atelier.common.testdata.FashionMnistFixture;
import io.atelier.common.testdata.NoiseDataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dl4j-spark training on real Spark (2 workers) and real images: 9,000 train, 1,000 test. */
class ClassifierTrainerTest {
    /** One epoch of parameter averaging reaches this on the fixture's test split; the full-data goal is 0.92. */
    static final double ONE_EPOCH_BAR = 0.75;

    static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("classifier-tests")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sparkTrainingReachesTheAccuracyBarAndTheModelServesAsFeatureNetwork() {
        String data = FashionMnistFixture.dataset(spark);
        String out = tmp.resolve("classifier.zip").toString();
        ClassifierOptions options = new ClassifierOptions(data, out, 2, 1, 64, 7L, 10, 3e-3, 8);
        ClassifierTrainer.Result result = new ClassifierTrainer(spark).train(options, ClassifierTrainer.Progress.NONE);
        System.out.printf("classifier: accuracy %.4f on %d test images after 1 epoch on %d, %.1f s%n",
                result.testAccuracy(), result.testCount(), result.trainCount(), result.seconds());
        assertTrue(result.testAccuracy() >= ONE_EPOCH_BAR, "test accuracy " + result.testAccuracy()
                + " below " + ONE_EPOCH_BAR);
        assertTrue(result.testCount() > 500, "scored on the test split: " + result.testCount());

        ClassifierModel model = ClassifierModel.load(out, spark.sparkContext().hadoopConfiguration());
        assertEquals(result.sha256(), model.sha256());
        assertEquals(10, model.info().classNames().size());
        assertEquals(result.testAccuracy(), model.info().testAccuracy(), 1e-12);
        assertEquals(7L, ((Number) model.info().provenance().get("seed")).longValue());
        assertEquals(64, ((String) model.info().provenance().get("manifestSha256")).length());
        assertEquals(ClassifierNetwork.FEATURES,
                ClassifierFeatures.load(out, spark.sparkContext().hadoopConfiguration()).open()
                        .features(Nd4j.zeros(3, 1, 28, 28))[2].length);

        // Per-class accuracy computed by our own Spark job agrees with dl4j-spark's evaluation.
        ClassAccuracy.Counts perClass = ClassAccuracy.of(ImageDataset.open(spark, data).rows(spark)
                        .where(col(DatasetSchema.SPLIT).equalTo(DatasetSchema.TEST)),
                ClassifierFeatures.load(out, spark.sparkContext().hadoopConfiguration()), 50);
        assertEquals(result.testAccuracy(), perClass.accuracy(), 1e-9, "per-class counts " + perClass.perClass());
        assertEquals(10, perClass.perClass().size());

        // The trained network as feature network: real vs real sits at the floor, noise far above.
        ClassifierFeatures features = ClassifierFeatures.load(out, spark.sparkContext().hadoopConfiguration());
        String noise = tmp.resolve("noise").toString();
        NoiseDataset.write(spark, noise, 800, 28, 5);
        EvaluationOptions realVsTrain = new EvaluationOptions(data, data, DatasetSchema.TEST, DatasetSchema.TRAIN,
                800, 3, 64, 400, 10, 200, 3);
        EvaluationReport same = new Evaluation(spark).run(features, realVsTrain);
        EvaluationReport noisy = new Evaluation(spark).run(features, new EvaluationOptions(data, noise,
                DatasetSchema.TEST, null, 800, 3, 64, 400, 10, 200, 3));
        assertEquals(same.floor().fid(), same.scores().fid(), 1e-9,
                "the train sample is chosen by (seed, id) alone, so it is the floor's sample");
        assertTrue(noisy.scores().fid() > 20 * same.floor().fid(),
                "noise " + noisy.scores() + " vs floor " + same.floor());
        assertEquals(features.provenance().get("sha256"),
                ((java.util.Map<?, ?>) same.definition().get("features")).get("sha256"));

        // Continuing it for an epoch at a lower rate starts from its weights, not from scratch
        // (here with mirrored and shifted images, which the provenance records).
        String more = tmp.resolve("continued.zip").toString();
        List<Double> epochAccuracy = new ArrayList<>();
        ClassifierTrainer.Result continued = new ClassifierTrainer(spark).train(
                new ClassifierOptions(data, more, 2, 1, 64, 7L, 10, 1e-3, 8).withInit(out).withSchedule(1e-3, true)
                        .withShift(2),
                (done, total, seconds, accuracy) -> epochAccuracy.add(accuracy));
        assertEquals(List.of(continued.testAccuracy()), epochAccuracy, "scored after its one epoch");
        assertTrue(continued.testAccuracy() > result.testAccuracy() - 0.03, "continued " + continued.testAccuracy()
                + " after " + result.testAccuracy());
        Map<String, Object> provenance = ClassifierModel.load(more, spark.sparkContext().hadoopConfiguration()).info()
                .provenance();
        assertEquals(2, ((Number) provenance.get("shift")).intValue(), "shift recorded");
        assertEquals(Boolean.TRUE, provenance.get("flip"), "flip recorded");
        Map<?, ?> from = (Map<?, ?>) provenance.get("continuedFrom");
        assertEquals(result.sha256(), from.get("sha256"), "provenance names the model it continued");
    }

    /**
     * {@code source}'s rows of {@code split} (up to {@code limit}) as a dataset of one split
     * {@code as}, with label names {@code names}: how a generated dataset (all train) looks.
     */
    private String derived(String source, String split, int limit, String as, List<String> names, String name) {
        ImageDataset real = ImageDataset.open(spark, source);
        String out = tmp.resolve(name).toString();
        new DatasetWriter(spark, out).write(real.rows(spark).where(col(DatasetSchema.SPLIT).equalTo(split))
                        .orderBy(DatasetSchema.ID).limit(limit).withColumn(DatasetSchema.SPLIT, lit(as)),
                new DatasetWriter.Description(28, 1, real.manifest().shards(), names, Map.of("test", name), null), s -> { });
        return out;
    }

    @Test
    void aClassifierTrainedOnOneDatasetIsScoredOnAnotherDatasetsTestSplit() {
        String real = FashionMnistFixture.dataset(spark);
        List<String> names = ImageDataset.open(spark, real).manifest().labelNames();
        String trainOnly = derived(real, DatasetSchema.TRAIN, 1500, DatasetSchema.TRAIN, names, "train-only");
        String out = tmp.resolve("scored-elsewhere.zip").toString();
        ClassifierTrainer.Result r = new ClassifierTrainer(spark).train(
                new ClassifierOptions(trainOnly, out, 2, 1, 64, 7L, 10, 3e-3, 8).withTestData(real),
                ClassifierTrainer.Progress.NONE);
        assertEquals(1500, r.trainCount());
        assertEquals(ImageDataset.open(spark, real).manifest().count(DatasetSchema.TEST), r.testCount(),
                "scored on every row of the other dataset's test split");
        assertTrue(r.testAccuracy() > 0.4, "1,500 images teach more than chance (0.1): " + r.testAccuracy());
        Map<String, Object> provenance = ClassifierModel.load(out, spark.sparkContext().hadoopConfiguration()).info()
                .provenance();
        assertEquals(real, provenance.get("testDataset"));
        assertEquals(64, ((String) provenance.get("testManifestSha256")).length());
        assertEquals("the train split of " + trainOnly, provenance.get("trainedOn"));

        // A dataset of test rows only trains on all of them, and says so.
        String testOnly = derived(real, DatasetSchema.TRAIN, 300, DatasetSchema.TEST, names, "test-only");
        ClassifierTrainer.Result all = new ClassifierTrainer(spark).train(
                new ClassifierOptions(testOnly, tmp.resolve("all-rows.zip").toString(), 2, 1, 64, 7L, 10, 3e-3, 8)
                        .withTestData(real), ClassifierTrainer.Progress.NONE);
        assertEquals("all 300 labelled rows of " + testOnly + " (it has no train split)", all.trainedOn());

        List<String> renamed = new ArrayList<>(names);
        renamed.set(9, "Boot");
        String otherNames = derived(real, DatasetSchema.TRAIN, 100, DatasetSchema.TRAIN, renamed, "other-names");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClassifierTrainer(spark)
                .train(ClassifierOptions.of(otherNames, tmp.resolve("x.zip").toString()).withTestData(real),
                        ClassifierTrainer.Progress.NONE));
        assertTrue(e.getMessage().startsWith("class names differ: data " + otherNames) && e.getMessage().contains("Boot"),
                e.getMessage());
        IllegalArgumentException noTest = assertThrows(IllegalArgumentException.class, () -> new ClassifierTrainer(spark)
                .train(ClassifierOptions.of(real, tmp.resolve("y.zip").toString()).withTestData(trainOnly),
                        ClassifierTrainer.Progress.NONE));
        assertTrue(noTest.getMessage().contains("testData " + trainOnly + " has no test split"), noTest.getMessage());
    }

    @Test
    void anExistingModelFileIsRefusedBeforeTraining() throws Exception {
        String data = FashionMnistFixture.dataset(spark);
        Path existing = java.nio.file.Files.writeString(tmp.resolve("taken.zip"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClassifierTrainer(spark)
                .train(ClassifierOptions.of(data, existing.toString()), ClassifierTrainer.Progress.NONE));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }
}
