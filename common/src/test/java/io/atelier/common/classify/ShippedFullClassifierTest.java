package io.atelier.common.classify;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.testdata.FashionMnistFixture;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped full-data classifier does what its file claims: the vendored Fashion-MNIST files are
 * the official 10,000-image test set, which it never trained on, so scoring all of them
 * re-measures the recorded test accuracy (the 92% goal) with this build's code path.
 */
class ShippedFullClassifierTest {
    @Test
    void theFullDataClassifierScoresItsRecordedAccuracyOnTheOfficialTestSet() {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("shipped-classifier-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        try {
            String file = System.getProperty("atelier.repo.root") + "/data/models/fashion-mnist-classifier-full.zip";
            ClassifierFeatures classifier = ClassifierFeatures.load(file, spark.sparkContext().hadoopConfiguration());
            ClassifierModel model = ClassifierModel.load(file, spark.sparkContext().hadoopConfiguration());
            ClassAccuracy.Counts counts = ClassAccuracy.of(
                    ImageDataset.open(spark, FashionMnistFixture.dataset(spark)).rows(spark), classifier, 100);
            long total = java.util.Arrays.stream(counts.total()).sum();
            assertEquals(10_000, total, "every official test image scored");
            assertEquals(10_000, model.info().testCount());
            assertEquals(model.info().testAccuracy(), counts.accuracy(), 1e-4, "per class " + counts.perClass());
            assertTrue(counts.accuracy() >= 0.92, "the goal: " + counts.accuracy());
        } finally {
            spark.stop();
        }
    }
}
