package io.atelier.common.bench;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memory of each executor JVM while a job runs: a sampler thread in the executor forces a
 * full collection every {@link #PERIOD_MS} ms and takes the heap that collection left in use, as
 * the collector reports it ({@link LiveHeap}), so garbage never counts; the process's resident set
 * (heap pages, ND4J's native buffers, threads) is read too. The samples come back to the driver
 * with their wall-clock times (a few per second of the run), so figures can be taken over any
 * window of it, e.g. a job's work stage apart from its listing and planning. Per window: the
 * median live heap (what a running task typically holds), its 95th percentile over the window and
 * over its first and last quarters (a leak raises the last quarter's above the first's), and the
 * largest sample; besides the heap left after the job and the process's peak resident set over the
 * whole run (the kernel's high-water mark, reset at the start). The largest sample is the noisiest
 * figure: it catches whatever tasks hold at one moment. Started and read by small Spark jobs, so it
 * measures the executors wherever they run (in local mode: the driver's JVM).
 */
final class ExecutorHeap {
    static final long PERIOD_MS = 1000;
    private static Thread sampler;
    /** Wall-clock ms, live heap bytes and resident bytes of each sample, in order. */
    private static final List<long[]> SAMPLES = new ArrayList<>();

    /**
     * One executor's run: sample times (epoch ms), live-heap bytes and resident-set bytes (-1 where
     * the system does not say), the live heap after it, and the process's peak resident set during
     * it (the kernel's high-water mark, which also sees moments between samples).
     */
    record Samples(long[] times, long[] bytes, long[] resident, long after, long peakResident)
            implements java.io.Serializable {
        /** Figures over the whole run. */
        Figures figures() {
            return figures(Long.MIN_VALUE, Long.MAX_VALUE);
        }

        /** Figures over the samples taken in [from, to) (epoch ms); the whole run's if none fall there. */
        Figures figures(long from, long to) {
            List<Long> inOrder = new ArrayList<>();
            List<Long> at = new ArrayList<>();
            long residentMax = -1;
            for (int i = 0; i < bytes.length; i++) {
                if (times[i] >= from && times[i] < to) {
                    inOrder.add(bytes[i]);
                    at.add(times[i]);
                    residentMax = Math.max(residentMax, resident[i]);
                }
            }
            if (inOrder.isEmpty()) {
                return from == Long.MIN_VALUE ? Figures.of(after, peakResident) : figures();
            }
            int quarter = Math.max(1, inOrder.size() / 4);
            List<Long> sorted = new ArrayList<>(inOrder);
            java.util.Collections.sort(sorted);
            long largest = sorted.get(sorted.size() - 1);
            long start = at.get(0);
            return new Figures(sorted.get(sorted.size() / 2), percentile95(inOrder), largest, after,
                    percentile95(inOrder.subList(0, quarter)),
                    percentile95(inOrder.subList(inOrder.size() - quarter, inOrder.size())), peakResident, residentMax,
                    (at.get(inOrder.indexOf(largest)) - start) / 1000.0, (at.get(at.size() - 1) - start) / 1000.0);
        }
    }

    /**
     * Bytes: the median, 95th-percentile and largest live-heap samples in a window, the 95th
     * percentiles of its first and last quarters of samples, the live heap after the job, and the
     * process's peak resident set during the whole job (-1 where the system does not say) and the
     * largest resident set sampled in the window; when the largest heap sample was taken and the
     * window's length, seconds after its first sample.
     */
    record Figures(long median, long p95, long peak, long after, long earlyP95, long lateP95, long peakResident,
                   long sampledResident, double peakAtSeconds, double seconds) implements java.io.Serializable {
        /** Figures of a run without samples: everything is the one reading. */
        static Figures of(long live, long resident) {
            return new Figures(live, live, live, live, live, live, resident, resident, 0, 0);
        }
    }

    private ExecutorHeap() {
    }

    /** Starts (or restarts, from nothing) a sampler in every executor that one of the tasks reaches. */
    static void start(SparkSession spark) {
        onExecutors(spark, true);
    }

    /** Stops the samplers; each executor's samples, by executor id. */
    static Map<String, Samples> stop(SparkSession spark) {
        return onExecutors(spark, false);
    }

    private static Map<String, Samples> onExecutors(SparkSession spark, boolean start) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // The description is the thread's until changed: a job's last one would name this job too.
        jsc.setJobDescription("bench: " + (start ? "start" : "stop") + " the executors' memory samplers");
        int tasks = 4 * Math.max(1, jsc.defaultParallelism());
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            slots.add(i);
        }
        List<Tuple2<String, Samples>> answers = jsc.parallelize(slots, tasks).mapPartitions((Iterator<Integer> ignored) -> {
            Samples s = start ? restartHere() : stopHere();
            return List.of(new Tuple2<>(SparkEnv.get().executorId(), s)).iterator();
        }).collect();
        // Several tasks reach each executor; the one that stopped the sampler has all its samples.
        Map<String, Samples> samples = new TreeMap<>();
        answers.forEach(a -> samples.merge(a._1(), a._2(), (x, y) -> x.bytes().length >= y.bytes().length ? x : y));
        return samples;
    }

    private static synchronized Samples restartHere() {
        stopSampler();
        long first = LiveHeap.measure();
        ProcessMemory.resetPeak();
        synchronized (SAMPLES) {
            SAMPLES.clear();
            record(first);
        }
        sampler = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(PERIOD_MS);
                    long live = LiveHeap.measure();
                    synchronized (SAMPLES) {
                        record(live);
                    }
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
        }, "bench-executor-heap");
        sampler.setDaemon(true);
        sampler.start();
        return new Samples(new long[0], new long[0], new long[0], first, ProcessMemory.peakResidentBytes());
    }

    /** Adds a sample, unless no full collection could be made for it (it would count garbage). */
    private static void record(long live) {
        if (live >= 0) {
            SAMPLES.add(new long[]{System.currentTimeMillis(), live, ProcessMemory.residentBytes()});
        }
    }

    private static synchronized Samples stopHere() {
        boolean wasRunning = sampler != null;
        stopSampler();
        long after = LiveHeap.measure();
        List<long[]> taken;
        synchronized (SAMPLES) {
            taken = wasRunning ? new ArrayList<>(SAMPLES) : List.of();
        }
        long[] times = taken.stream().mapToLong(s -> s[0]).toArray();
        long[] bytes = taken.stream().mapToLong(s -> s[1]).toArray();
        long[] resident = taken.stream().mapToLong(s -> s[2]).toArray();
        return new Samples(times, bytes, resident, after, ProcessMemory.peakResidentBytes());
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

    /** The nearest-rank 95th percentile. */
    static long percentile95(List<Long> samples) {
        List<Long> sorted = new ArrayList<>(samples);
        java.util.Collections.sort(sorted);
        int rank = (int) Math.ceil(0.95 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
