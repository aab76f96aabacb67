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
 * The memory of each executor JVM while a job runs: a sampler thread in the executor forces a
 * full collection every {@link #PERIOD_MS} ms and reads the heap in use right after it, so
 * garbage never counts, and the process's resident set (heap pages, ND4J's native buffers,
 * threads). Per executor: the median live heap (what a running task typically holds), its 95th
 * percentile over the whole run and over its first and last quarters (a leak raises the last
 * quarter's above the first's), its largest sample, the heap left after the job, and the
 * process's peak resident set during the job (the kernel's high-water mark, reset at the start).
 * The largest heap sample is the noisy one: a sample that lands while both task threads are in the
 * middle of a forward pass counts the pass's in-flight ND4J state, so longer runs meet higher
 * peaks by chance. Started and read by small Spark jobs, so it measures the executors wherever
 * they run (in local mode: the driver's JVM).
 */
final class ExecutorHeap {
    static final long PERIOD_MS = 1000;
    private static Thread sampler;
    private static final List<Long> SAMPLES = new ArrayList<>();
    /** When each sample was taken, ms after the start. */
    private static final List<Long> TIMES = new ArrayList<>();
    private static long startedAt;

    /**
     * Bytes: the median, 95th-percentile and largest live-heap samples during the job, the 95th
     * percentiles of its first and last quarters of samples, the live heap after it, and the
     * process's peak resident set during it (-1 where the system does not say); when the largest
     * sample was taken and how long sampling ran, seconds after the start.
     */
    record Figures(long median, long p95, long peak, long after, long earlyP95, long lateP95, long peakResident,
                   double peakAtSeconds, double seconds) implements java.io.Serializable {
        /** Figures of a run without samples: everything is the one reading. */
        static Figures of(long live, long resident) {
            return new Figures(live, live, live, live, live, live, resident, 0, 0);
        }
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
        ProcessMemory.resetPeak();
        synchronized (SAMPLES) {
            startedAt = System.currentTimeMillis();
            SAMPLES.clear();
            TIMES.clear();
            SAMPLES.add(first);
            TIMES.add(0L);
        }
        sampler = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(PERIOD_MS);
                    long live = liveBytes();
                    synchronized (SAMPLES) {
                        SAMPLES.add(live);
                        TIMES.add(System.currentTimeMillis() - startedAt);
                    }
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
        }, "bench-executor-heap");
        sampler.setDaemon(true);
        sampler.start();
        return Figures.of(first, ProcessMemory.peakResidentBytes());
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
        List<Long> inOrder;
        List<Long> times;
        long seconds;
        synchronized (SAMPLES) {
            inOrder = new ArrayList<>(SAMPLES);
            times = new ArrayList<>(TIMES);
            seconds = System.currentTimeMillis() - startedAt;
        }
        long resident = ProcessMemory.peakResidentBytes();
        if (inOrder.isEmpty()) {
            return Figures.of(after, resident);
        }
        int quarter = Math.max(1, inOrder.size() / 4);
        List<Long> sorted = new ArrayList<>(inOrder);
        java.util.Collections.sort(sorted);
        long largest = sorted.get(sorted.size() - 1);
        return new Figures(sorted.get(sorted.size() / 2), percentile95(inOrder), Math.max(after, largest), after,
                percentile95(inOrder.subList(0, quarter)), percentile95(inOrder.subList(inOrder.size() - quarter,
                inOrder.size())), resident, times.get(inOrder.indexOf(largest)) / 1000.0, seconds / 1000.0);
    }

    /** The nearest-rank 95th percentile. */
    static long percentile95(List<Long> samples) {
        List<Long> sorted = new ArrayList<>(samples);
        java.util.Collections.sort(sorted);
        int rank = (int) Math.ceil(0.95 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static long liveBytes() {
        System.gc(); // a full collection: what is left in use is live
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
