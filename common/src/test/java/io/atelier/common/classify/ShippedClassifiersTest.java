package io.atelier.common.classify;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.testdata.FashionMnistFixture;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped classifiers do what their files claim: scoring, with this build's code path, the
 * vendored images each one's recorded test accuracy was measured on re-measures that accuracy.
 */
class ShippedClassifiersTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("shipped-classifier-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * Scores {@code rows} with the shipped file {@code name} and checks that they are as many as
     * its recorded test count and score its recorded test accuracy.
     */
    private static ClassAccuracy.Counts rescore(String name, Dataset<Row> rows) {
        String file = System.getProperty("atelier.repo.root") + "/data/models/" + name;
        ClassifierFeatures classifier = ClassifierFeatures.load(file, spark.sparkContext().hadoopConfiguration());
        ClassifierModel model = ClassifierModel.load(file, spark.sparkContext().hadoopConfiguration());
        ClassAccuracy.Counts counts = ClassAccuracy.of(rows, classifier, 100);
        assertEquals(model.info().testCount(), Arrays.stream(counts.total()).sum(), name + ": every image it was scored on");
        assertEquals(model.info().testAccuracy(), counts.accuracy(), 1e-4, name + " per class " + counts.perClass());
        return counts;
    }

    /**
     * The vendored Fashion-MNIST files are the official 10,000-image test set, which the
     * full-data classifier never trained on.
     */
    @Test
    void theFullDataClassifierScoresItsRecordedAccuracyOnTheOfficialTestSet() {
        ClassAccuracy.Counts counts = rescore("fashion-mnist-classifier-full.zip",
                ImageDataset.open(spark, FashionMnistFixture.dataset(spark)).rows(spark));
        assertEquals(10_000, Arrays.stream(counts.total()).sum(), "every official test image scored");
        assertTrue(counts.accuracy() >= 0.92, "the goal: " + counts.accuracy());
    }

    /**
     * The default feature network was trained on the vendored files' train split and scored on
     * their test split (seed 42, a tenth: the same 992 images in the test fixture).
     */
    @Test
    void theDefaultClassifierScoresItsRecordedAccuracyOnTheVendoredTestSplit() {
        ClassAccuracy.Counts counts = rescore("fashion-mnist-classifier.zip",
                ImageDataset.open(spark, FashionMnistFixture.dataset(spark)).rows(spark)
                        .where(col(DatasetSchema.SPLIT).equalTo(DatasetSchema.TEST)));
        assertEquals(992, Arrays.stream(counts.total()).sum(), "the test split data/models/README.md names");
        assertEquals(10, counts.perClass().size(), "every class among them");
    }
}
