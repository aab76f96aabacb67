package io.atelier.common.bench;

import org.apache.spark.sql.SparkSession;
import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
            assertTrue(f.p95() <= f.peak() && f.p95() >= f.median(), f.toString());
            // Taken after the first sample and held to the end: what a leak looks like.
            assertTrue(f.lateP95() - f.earlyP95() > 90 * MIB, "the last quarter holds the array, the first not: " + f);
            assertTrue(f.seconds() >= 3 && f.peakAtSeconds() > 0 && f.peakAtSeconds() <= f.seconds(), f.toString());
        } finally {
            spark.stop();
        }
    }

    @Test
    void percentilesRankTheSamplesWhateverTheirOrder() {
        List<Long> samples = new ArrayList<>();
        for (long i = 100; i >= 1; i--) {
            samples.add(i);
        }
        assertEquals(95, ExecutorHeap.percentile95(samples));
        assertEquals(7, ExecutorHeap.percentile95(List.of(7L)));
        assertEquals(20, ExecutorHeap.percentile95(List.of(20L, 10L)), "nearest rank: the larger of two");
    }

    /** Native memory the heap never sees shows in the resident peak, and a reset forgets an earlier peak. */
    @Test
    void nativeMemoryShowsInTheResidentPeakSinceTheLastReset() {
        assumeTrue(ProcessMemory.peakResidentBytes() > 0 && ProcessMemory.resetPeak(), "Linux /proc only");
        long before = ProcessMemory.peakResidentBytes();
        // Native memory freed at once when deallocated (malloc of this size maps its own pages).
        BytePointer block = new BytePointer(128 * MIB);
        for (long i = 0; i < block.capacity(); i += 4096) {
            block.put(i, (byte) 1); // touch every page so it becomes resident
        }
        long resident = ProcessMemory.residentBytes();
        long during = ProcessMemory.peakResidentBytes();
        assertTrue(during - before > 120 * MIB, "128 MiB touched: " + before + " -> " + during);
        assertTrue(resident <= during, resident + " resident now, above the peak " + during);
        block.deallocate();
        assertTrue(ProcessMemory.resetPeak());
        assertTrue(ProcessMemory.peakResidentBytes() < during - 100 * MIB, "the reset drops the earlier peak: "
                + ProcessMemory.peakResidentBytes() + " vs " + during);
    }
}
