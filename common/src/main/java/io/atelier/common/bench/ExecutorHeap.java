package io.atelier.common.bench;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The live heap of each executor JVM while a job runs: a sampler thread in the executor forces a
 * full collection every {@link #PERIOD_MS} ms and reads the heap in use right after it, so
 * garbage never counts. Three figures per executor: the median sample (what a running task
 * typically holds), the peak sample, and the heap left after the job (what stays behind: a leak
 * shows here). The peak is the noisy one: a sample that lands while both task threads are in the
 * middle of a forward pass counts the pass's in-flight ND4J state, so longer runs meet higher
 * peaks by chance. Started and read by small Spark jobs, so it measures the executors wherever
 * they run (in local mode: the driver's JVM).
 */
final class ExecutorHeap {
    static final long PERIOD_MS = 1000;
    private static Thread sampler;
    private static final List<Long> SAMPLES = new ArrayList<>();

    /** Bytes: the median and largest samples during the job, and the live heap after it. */
    record Figures(long median, long peak, long after) implements java.io.Serializable {
    }

    private ExecutorHeap() {
    }

    /** Starts (or restarts, from nothing) a sampler in every executor that one of the tasks reaches. */
    static void start(SparkSession spark) {
        onExecutors(spark, true);
    }

    /** Stops the samplers; each executor's figures, by executor id. */
    static Map<String, Figures> stop(SparkSession spark) {
        return onExecutors(spark, false);
    }

    private static Map<String, Figures> onExecutors(SparkSession spark, boolean start) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int tasks = 4 * Math.max(1, jsc.defaultParallelism());
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            slots.add(i);
        }
        List<Tuple2<String, Figures>> answers = jsc.parallelize(slots, tasks).mapPartitions((Iterator<Integer> ignored) -> {
            Figures f = start ? restartHere() : stopHere();
            return List.of(new Tuple2<>(SparkEnv.get().executorId(), f)).iterator();
        }).collect();
        // Several tasks reach each executor; the one that stopped the sampler has all its samples.
        Map<String, Figures> figures = new TreeMap<>();
        answers.forEach(a -> figures.merge(a._1(), a._2(), (x, y) -> x.peak() >= y.peak() ? x : y));
        return figures;
    }

    private static synchronized Figures restartHere() {
        stopSampler();
        long first = liveBytes();
        synchronized (SAMPLES) {
            SAMPLES.clear();
            SAMPLES.add(first);
        }
        sampler = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(PERIOD_MS);
                    long live = liveBytes();
                    synchronized (SAMPLES) {
                        SAMPLES.add(live);
                    }
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
        }, "bench-executor-heap");
        sampler.setDaemon(true);
        sampler.start();
        return new Figures(first, first, first);
    }

    private static synchronized Figures stopHere() {
        stopSampler();
        return figures(liveBytes());
    }

    private static void stopSampler() {
        if (sampler == null) {
            return;
        }
        sampler.interrupt();
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sampler = null;
    }

    private static Figures figures(long after) {
        List<Long> sorted;
        synchronized (SAMPLES) {
            sorted = new ArrayList<>(SAMPLES);
        }
        if (sorted.isEmpty()) {
            return new Figures(after, after, after);
        }
        java.util.Collections.sort(sorted);
        return new Figures(sorted.get(sorted.size() / 2), Math.max(after, sorted.get(sorted.size() - 1)), after);
    }

    private static long liveBytes() {
        System.gc(); // a full collection: what is left in use is live
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
