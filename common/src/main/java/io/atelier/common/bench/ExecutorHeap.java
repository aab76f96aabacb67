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
 * The peak live heap of each executor JVM while a job runs: a sampler thread in the executor
 * forces a full collection every {@link #PERIOD_MS} ms and reads the heap in use right after it,
 * so garbage never counts and what is left is what the JVM holds. Started and read by small
 * Spark jobs, so it measures the executors wherever they run (in local mode: the driver's JVM).
 */
final class ExecutorHeap {
    static final long PERIOD_MS = 1000;
    private static Thread sampler;
    private static volatile long peak;

    private ExecutorHeap() {
    }

    /** Starts (or restarts, from zero) a sampler in every executor that one of the tasks reaches. */
    static void start(SparkSession spark) {
        onExecutors(spark, true);
    }

    /** Stops the samplers; the peak of each executor that answered, in bytes, by executor id. */
    static Map<String, Long> stop(SparkSession spark) {
        return onExecutors(spark, false);
    }

    private static Map<String, Long> onExecutors(SparkSession spark, boolean start) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int tasks = 4 * Math.max(1, jsc.defaultParallelism());
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            slots.add(i);
        }
        List<Tuple2<String, Long>> answers = jsc.parallelize(slots, tasks).mapPartitions((Iterator<Integer> ignored) -> {
            long bytes = start ? restartHere() : stopHere();
            return List.of(new Tuple2<>(SparkEnv.get().executorId(), bytes)).iterator();
        }).collect();
        Map<String, Long> peaks = new TreeMap<>();
        answers.forEach(a -> peaks.merge(a._1(), a._2(), Math::max));
        return peaks;
    }

    private static synchronized long restartHere() {
        stopHere();
        peak = liveBytes();
        sampler = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(PERIOD_MS);
                    peak = Math.max(peak, liveBytes());
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
        }, "bench-executor-heap");
        sampler.setDaemon(true);
        sampler.start();
        return peak;
    }

    private static synchronized long stopHere() {
        if (sampler == null) {
            return peak;
        }
        sampler.interrupt();
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sampler = null;
        peak = Math.max(peak, liveBytes());
        return peak;
    }

    private static long liveBytes() {
        System.gc(); // a full collection: what is left in use is live
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
