package io.atelier.common.exec;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutorCacheTest {
    static SparkSession spark;
    static JavaSparkContext jsc;

    /** Local mode runs tasks in this JVM, so tasks see these statics as an executor's. */
    static final ExecutorCache<String, Object> NETWORKS = new ExecutorCache<>(4);
    static final ExecutorCache.Lending<String, Object> WORKERS = new ExecutorCache.Lending<>(4);
    static volatile CountDownLatch together;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("executor-cache-tests")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Each of two tasks (running at once) fetches {@code key}'s network and reports which object it got. */
    static List<Integer> twoTasksUse(String key) {
        return jsc.parallelize(List.of(1, 2), 2).map(i -> System.identityHashCode(NETWORKS.get(key, k -> {
            sleep(300); // a slow load, so the second task asks while the first still builds
            return new Object();
        }))).collect();
    }

    @Test
    void aNetworkIsBuiltOncePerExecutorForTwoTasksAndRebuiltForAnotherKey() {
        int before = NETWORKS.builds();
        List<Integer> first = twoTasksUse("net-a");
        assertEquals(1, NETWORKS.builds() - before, "two tasks at once on one executor, one build");
        assertEquals(first.get(0), first.get(1), "both tasks got the same network");

        List<Integer> later = twoTasksUse("net-a");
        assertEquals(1, NETWORKS.builds() - before, "a later job reuses it");
        assertEquals(first, later);

        List<Integer> other = twoTasksUse("net-b");
        assertEquals(2, NETWORKS.builds() - before, "another key (other weights) is built");
        assertNotEquals(first.get(0), other.get(0));
    }

    @Test
    void theLeastRecentlyUsedKeyIsDroppedBeyondCapacity() {
        ExecutorCache<String, Object> cache = new ExecutorCache<>(2);
        Object a = cache.get("a", k -> new Object());
        cache.get("b", k -> new Object());
        assertSame(a, cache.get("a", k -> new Object()));
        cache.get("c", k -> new Object()); // drops b, used least recently
        assertEquals(2, cache.size());
        assertEquals(3, cache.builds());
        assertSame(a, cache.get("a", k -> new Object()));
        cache.get("b", k -> new Object());
        assertEquals(4, cache.builds(), "b was dropped and is built again");
    }

    @Test
    void aFailedBuildIsNotKept() {
        ExecutorCache<String, Object> cache = new ExecutorCache<>(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cache.get("bad", k -> {
                    throw new IllegalArgumentException("no weights at " + k);
                }));
        assertEquals("no weights at bad", e.getMessage());
        Object built = cache.get("bad", k -> new Object());
        assertSame(built, cache.get("bad", k -> new Object()), "the next try builds and keeps it");
    }

    @Test
    void lentWorkersAreNeverSharedByTasksAtOnceAndAreReusedByLaterTasks() {
        int before = WORKERS.builds();
        together = new CountDownLatch(2);
        List<Integer> first = jsc.parallelize(List.of(1, 2), 2).map(i -> {
            Object worker = WORKERS.borrowForTask("gen-a", k -> new Object());
            together.countDown();
            assertTrue(together.await(30, TimeUnit.SECONDS), "both tasks hold a worker at once");
            return System.identityHashCode(worker);
        }).collect();
        assertEquals(2, WORKERS.builds() - before, "two tasks at once, two workers");
        assertNotEquals(first.get(0), first.get(1));

        List<Integer> later = jsc.parallelize(List.of(1, 2, 3, 4), 4)
                .map(i -> System.identityHashCode(WORKERS.borrowForTask("gen-a", k -> new Object()))).collect();
        assertEquals(2, WORKERS.builds() - before, "later tasks borrow the workers given back");
        assertTrue(new HashSet<>(first).containsAll(later), later + " not among " + first);

        Object driverSide = WORKERS.borrow("gen-b", k -> new Object());
        WORKERS.giveBack("gen-b", driverSide);
        assertSame(driverSide, WORKERS.borrow("gen-b", k -> new Object()));
        Object second = WORKERS.borrow("gen-b", k -> new Object());
        assertNotSame(driverSide, second, "one borrowed and not given back is not lent twice");
    }

    @Test
    void aFailedTaskDropsItsWorker() {
        int before = WORKERS.builds();
        Set<Integer> seen = new HashSet<>();
        assertThrows(Exception.class, () -> jsc.parallelize(List.of(1), 1).map(i -> {
            WORKERS.borrowForTask("gen-c", k -> new Object());
            throw new IllegalStateException("task fails midway");
        }).collect());
        seen.addAll(jsc.parallelize(List.of(1), 1)
                .map(i -> System.identityHashCode(WORKERS.borrowForTask("gen-c", k -> new Object()))).collect());
        assertEquals(2, WORKERS.builds() - before, "the failed task's worker was not given back");
        assertEquals(1, seen.size());
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Values dropped for newer keys hold native memory that only a collection frees (a network's
     * ND4J buffers); their owners are small, so nothing else starts one. Eight keys of 128 MiB
     * each through a cache of two: without the collection on eviction all eight stay resident.
     */
    @Test
    void droppedValuesReleaseTheirNativeMemory() throws Exception {
        java.nio.file.Path status = java.nio.file.Path.of("/proc/self/status");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(status), "Linux /proc only");
        long block = 128L << 20;
        ExecutorCache<Integer, org.bytedeco.javacpp.BytePointer> cache = new ExecutorCache<>(2);
        System.gc();
        long before = residentMib(status);
        for (int key = 0; key < 8; key++) {
            cache.get(key, k -> {
                org.bytedeco.javacpp.BytePointer p = new org.bytedeco.javacpp.BytePointer(block);
                for (long i = 0; i < block; i += 4096) {
                    p.put(i, (byte) 1); // resident, as a network's written buffers are
                }
                return p;
            });
        }
        Thread.sleep(300); // JavaCPP frees collected pointers on its own thread
        long grown = residentMib(status) - before;
        assertEquals(6, cache.evictions());
        assertEquals(2, cache.size());
        assertTrue(grown < 5 * 128, "resident memory grew " + grown + " MiB for 2 kept values of 128 MiB (8 built)");
    }

    private static long residentMib(java.nio.file.Path status) throws java.io.IOException {
        return java.nio.file.Files.readAllLines(status).stream().filter(l -> l.startsWith("VmRSS"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElseThrow();
    }
}
