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
            // The sampler goes on until the stop job reaches it, so samples taken after this
            // moment no longer see the array; the figures that need it are taken before.
            long releasedAt = System.currentTimeMillis();
            held = null;
            Map<String, ExecutorHeap.Samples> samples = ExecutorHeap.stop(spark);

            assertEquals(1, samples.size(), "one executor in local mode: " + samples.keySet());
            ExecutorHeap.Samples s = samples.values().iterator().next();
            ExecutorHeap.Figures f = s.figures();
            ExecutorHeap.Figures whileHeld = s.figures(Long.MIN_VALUE, releasedAt);
            assertEquals(1, stillReachable);
            assertTrue(f.peak() - f.after() > 90 * MIB, "the 96 MiB array is in the peak, gone after: " + f);
            assertTrue(f.median() <= f.peak() && f.after() <= f.peak(), f.toString());
            assertTrue(f.p95() <= f.peak() && f.p95() >= f.median(), f.toString());
            assertTrue(whileHeld.median() - f.after() > 90 * MIB, "held for most samples, so in the median: " + whileHeld);
            // Taken after the first sample and held to the end of the window: what a leak looks like.
            assertTrue(whileHeld.lateP95() - whileHeld.earlyP95() > 90 * MIB,
                    "the last quarter holds the array, the first not: " + whileHeld);
            assertTrue(f.seconds() >= 2 && f.peakAtSeconds() > 0 && f.peakAtSeconds() <= f.seconds(), f.toString());
        } finally {
            spark.stop();
        }
    }

    /** A planning spike before the work stage stays out of the work stage's figures, and vice versa. */
    @Test
    void figuresOfAWindowCountOnlyItsSamples() {
        long[] times = {1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000};
        long[] bytes = {50, 300, 60, 50, 52, 51, 53, 80, 54};
        long[] resident = {700, 880, 700, 710, 720, 730, 740, 760, 750};
        ExecutorHeap.Samples s = new ExecutorHeap.Samples(times, bytes, resident, 40, 900);
        ExecutorHeap.Figures before = s.figures(Long.MIN_VALUE, 4_000);
        ExecutorHeap.Figures work = s.figures(4_000, Long.MAX_VALUE);
        assertEquals(300, before.peak());
        assertEquals(1.0, before.peakAtSeconds(), 1e-9, "a second after the window's first sample");
        assertEquals(80, work.peak());
        assertEquals(4.0, work.peakAtSeconds(), 1e-9);
        assertEquals(5.0, work.seconds(), 1e-9);
        assertEquals(53, work.median(), "upper median of 50, 52, 51, 53, 80, 54");
        assertEquals(50, work.earlyP95(), "a quarter of six samples: the first one");
        assertEquals(54, work.lateP95(), "and the last one");
        assertEquals(40, work.after());
        assertEquals(900, work.peakResident());
        assertEquals(760, work.sampledResident(), "the window's largest resident sample");
        assertEquals(880, before.sampledResident());
        assertEquals(300, s.figures().peak(), "the whole run");
        assertEquals(300, s.figures(20_000, 30_000).peak(), "an empty window falls back to the whole run");
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
        // Not all 128: the JVM may hand heap pages back to the system meanwhile (G1 shrinks the
        // heap after the full collections other tests force).
        assertTrue(during - before > 96 * MIB, "128 MiB touched: " + before + " -> " + during);
        assertTrue(resident <= during, resident + " resident now, above the peak " + during);
        block.deallocate();
        assertTrue(ProcessMemory.resetPeak());
        assertTrue(ProcessMemory.peakResidentBytes() < during - 100 * MIB, "the reset drops the earlier peak: "
                + ProcessMemory.peakResidentBytes() + " vs " + during);
    }
}
