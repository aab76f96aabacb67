package io.atelier.common.classify;

import io.atelier.common.testdata.FashionMnistSlice;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same seed trains the same classifier, bit for bit, on real Spark with several workers:
 * dropout masks, mirroring and shifts, the rows each worker sees and their order, and the order
 * the workers' parameters are summed in are all fixed by the seed. 480 vendored Fashion-MNIST
 * images and a tiny network keep each run to seconds.
 */
class ClassifierReproducibilityTest {
    static SparkSession spark;
    static String data;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("classifier-repro-tests")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        data = FashionMnistSlice.write(spark, tmp.resolve("slice").toString(), 384, 96);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Two epochs with every source of randomness on: dropout in each stage and before the output, mirroring, shifts. */
    private static float[] trainedParameters(String name, long seed, int workers) {
        String out = tmp.resolve(name).toString();
        ClassifierOptions options = new ClassifierOptions(data, out, workers, 2, 16, seed, 3, 3e-3, 4)
                .withSchedule(1e-3, true).withShift(1).withStageDropout(0.25);
        new ClassifierTrainer(spark).train(options, ClassifierTrainer.Progress.NONE);
        return ClassifierModel.load(out, spark.sparkContext().hadoopConfiguration()).network().params().data().asFloat();
    }

    private static int differing(float[] a, float[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            n += Float.floatToIntBits(a[i]) == Float.floatToIntBits(b[i]) ? 0 : 1;
        }
        return n;
    }

    @Test
    void twoRunsWithTheSameSeedAndTwoWorkersGiveBitIdenticalParameters() {
        float[] first = trainedParameters("seed1-a.zip", 1, 2);
        float[] second = trainedParameters("seed1-b.zip", 1, 2);
        float[] otherSeed = trainedParameters("seed2.zip", 2, 2);
        assertEquals(first.length, second.length);
        assertArrayEquals(first, second, differing(first, second) + " of " + first.length
                + " parameters differ between two runs with seed 1");
        int changed = differing(first, otherSeed);
        assertTrue(changed > first.length / 2, "seed 2 should train other weights; only " + changed + " of "
                + first.length + " differ from seed 1's");
    }

    @Test
    void fourWorkersAveragedInPartitionOrderRepeatToo() {
        // On two cores the last two of four tasks finish in either order, and floating-point
        // addition is not associative: dl4j-spark's own averaging, which adds the workers'
        // results as tasks finish, made about half of these parameters differ between runs.
        float[] first = trainedParameters("four-a.zip", 5, 4);
        float[] second = trainedParameters("four-b.zip", 5, 4);
        assertArrayEquals(first, second, differing(first, second) + " of " + first.length
                + " parameters differ between two runs with four workers");
    }
}
