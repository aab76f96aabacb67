package io.atelier.common.bench;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutorHeapTest {
    private static final long MIB = 1024 * 1024;

    /** Local mode: the executor is this JVM, so an array this test holds is the executor's memory. */
    @Test
    void memoryHeldDuringTheJobShowsInThePeakAndNotAfterIt() throws InterruptedException {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("executor-heap-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        try {
            ExecutorHeap.start(spark);
            byte[] held = new byte[(int) (96 * MIB)];
            held[held.length - 1] = 1;
            Thread.sleep(3 * ExecutorHeap.PERIOD_MS + 500);
            long stillReachable = held[held.length - 1];
            held = null;
            Map<String, ExecutorHeap.Figures> figures = ExecutorHeap.stop(spark);

            assertEquals(1, figures.size(), "one executor in local mode: " + figures);
            ExecutorHeap.Figures f = figures.values().iterator().next();
            assertEquals(1, stillReachable);
            assertTrue(f.peak() - f.after() > 90 * MIB, "the 96 MiB array is in the peak, gone after: " + f);
            assertTrue(f.median() <= f.peak() && f.after() <= f.peak(), f.toString());
            assertTrue(f.median() - f.after() > 90 * MIB, "held for most samples, so in the median: " + f);
        } finally {
            spark.stop();
        }
    }
}
