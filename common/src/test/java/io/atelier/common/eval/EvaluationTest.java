package io.atelier.common.eval;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.embed.NetworkFeatures;
import io.atelier.common.io.Json;
import io.atelier.common.testdata.FashionMnistFixture;
import io.atelier.common.testdata.NoiseDataset;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The distributed path on real Spark and real images (the vendored Fashion-MNIST test set). */
class EvaluationTest {
    static SparkSession spark;
    static String fashion;
    static String noise;
    static final PoolFeatures FEATURES = new PoolFeatures(28, 1, 4);

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("eval-tests")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        fashion = FashionMnistFixture.dataset(spark);
        noise = tmp.resolve("noise").toString();
        NoiseDataset.write(spark, noise, 1500, 28, 3);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void partitionSummariesMergeToTheSinglePartitionSummary() {
        Dataset<Row> sample = EvalSample.of(ImageDataset.open(spark, fashion).rows(spark), 3000, 7);
        FeatureSummary one = FeatureSummaryJob.summarise(sample.coalesce(1), FEATURES, 50, 300);
        FeatureSummary many = FeatureSummaryJob.summarise(sample.repartition(5), FEATURES, 33, 300);
        assertEquals(3000, one.statistics().count(), "sample size");
        assertEquals(one.statistics().count(), many.statistics().count());
        assertArrayEquals(one.statistics().mean(), many.statistics().mean(), 1e-9);
        double[][] a = one.statistics().covariance();
        double[][] b = many.statistics().covariance();
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], 1e-9, "covariance row " + i);
        }
        float[][] ra = one.reservoir().features();
        float[][] rb = many.reservoir().features();
        assertEquals(300, ra.length);
        for (int i = 0; i < ra.length; i++) {
            assertArrayEquals(ra[i], rb[i], "reservoir vector " + i);
        }
    }

    @Test
    void fidOfADatasetWithItselfIsZero() {
        EvaluationOptions o = small(fashion, fashion).withSplits(DatasetSchema.TEST, DatasetSchema.TEST);
        EvaluationReport report = new Evaluation(spark).run(FEATURES, o);
        assertEquals(0, report.scores().fid(), 1e-6, "same split, same seed: the same sample");
        assertEquals(1, report.scores().precision(), 1e-12);
        assertTrue(report.floor().fid() > 1e-3, "the floor compares disjoint samples: " + report.floor());
        assertEquals(java.util.List.of("executor driver: cpu, 1 thread"), report.definition().get("devices"),
                "where feature extraction ran (local[2]: one thread per task)");
    }

    @Test
    void realVsRealFidIsFarSmallerThanRealVsNoise() {
        EvaluationReport realVsReal = new Evaluation(spark).run(FEATURES, small(fashion, fashion)
                .withSplits(DatasetSchema.TEST, DatasetSchema.TRAIN).withSeed(5));
        EvaluationReport realVsNoise = new Evaluation(spark).run(FEATURES, small(fashion, noise));
        assertTrue(realVsNoise.scores().fid() > 20 * realVsReal.scores().fid(),
                "real vs real " + realVsReal.scores() + "\nreal vs noise " + realVsNoise.scores());
        assertTrue(realVsNoise.scores().kidMean() > 20 * Math.abs(realVsReal.scores().kidMean()));
        assertTrue(realVsNoise.scores().precision() < 0.1, "noise is not on the real manifold: " + realVsNoise.scores());
        assertTrue(realVsNoise.fidOverFloor() > 20, "ratio to the floor: " + realVsNoise.fidOverFloor());
        assertEquals(realVsReal.scores().realCount(), realVsNoise.scores().fakeCount(), "one sample size throughout");

        String json = Json.pretty(realVsNoise);
        for (String field : List.of("\"fid\"", "\"kidMean\"", "\"precision\"", "\"recall\"", "\"floor\"",
                "\"fidOverFloor\"", "\"manifestSha256\"", "\"countPerSide\"", "\"versions\"", "\"seed\"")) {
            assertTrue(json.contains(field), field + " missing from " + json);
        }
    }

    @Test
    void anRgbNetworkScoresGrayImagesResizedWithTheirChannelReplicated() throws Exception {
        NetworkFeatures network = NetworkFeatures.load(spark, "random", null);
        float[] gray = new float[2 * 28 * 28];
        for (int i = 0; i < gray.length; i++) {
            gray[i] = (float) Math.sin(i * 0.37);
        }
        float[] rgb = new float[2 * 3 * 28 * 28];
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                System.arraycopy(gray, n * 784, rgb, (n * 3 + c) * 784, 784);
            }
        }
        FeatureExtractor extractor = network.open();
        float[][] fromGray = extractor.features(Nd4j.create(gray, new long[]{2, 1, 28, 28}, 'c'));
        float[][] fromRgb = extractor.features(Nd4j.create(rgb, new long[]{2, 3, 28, 28}, 'c'));
        assertEquals(network.dimension(), fromGray[0].length);
        for (int n = 0; n < 2; n++) {
            assertArrayEquals(fromRgb[n], fromGray[n], "image " + n + ": gray must equal its channel replicated");
        }

        EvaluationOptions o = small(fashion, fashion).withCount(200);
        EvaluationReport same = new Evaluation(spark).run(network, o.withSplits(DatasetSchema.TEST, DatasetSchema.TEST));
        assertEquals(0, same.scores().fid(), 1e-6, "the same sample through a resizing network");
        assertTrue(same.floor().fid() > 1e-6, "disjoint samples differ: " + same.floor());
        String json = Json.pretty(same);
        for (String field : List.of("\"gray\" : \"the gray channel is replicated to R, G and B\"", "\"input\" : \"28x28x1\"",
                "bilinear with aligned corners to 32x32", "random:conv3")) {
            assertTrue(json.contains(field), field + " missing from " + json);
        }
    }

    @Test
    void imagesOfTheWrongSizeAreRefusedBeforeAnyWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Evaluation(spark).run(new PoolFeatures(32, 1, 4), small(fashion, noise)));
        assertTrue(e.getMessage().contains("32x32x1"), e.getMessage());
    }

    private static EvaluationOptions small(String real, String fake) {
        return new EvaluationOptions(real, fake, DatasetSchema.TEST, null, 800, 11, 64, 400, 10, 200, 3);
    }
}
