package io.atelier.common.train;

import io.atelier.common.compute.DeviceLog;
import io.atelier.common.compute.GpuSettings;
import io.atelier.common.compute.TaskDevice;
import io.atelier.common.runs.MetricsLog;
import io.atelier.common.runs.RoundRecord;
import io.atelier.common.runs.RunDirectory;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPU scheduling on a real standalone cluster of two executor processes
 * ({@code local-cluster[2,1,1024]}), on the CPU backend: each worker's discovery script claims a
 * different address, the master hands it to the worker's executor, and every task must read,
 * bind (here: record as unbound) and report the address its own executor was given, in a plain
 * job and in the training rounds' metrics. This is as far as the GPU path is tested: no GPU
 * computes here.
 */
class GpuBindingClusterTest {
    /** Executor id to the GPU addresses Spark assigned it, as the driver learned them. */
    static final Map<String, List<String>> ASSIGNED = new ConcurrentHashMap<>();

    /** Registered through spark.extraListeners so that it sees executors register. */
    public static final class ExecutorResources extends SparkListener {
        @Override
        public void onExecutorAdded(SparkListenerExecutorAdded added) {
            ResourceInformation gpu = scala.collection.JavaConverters.mapAsJavaMap(
                    added.executorInfo().resourcesInfo()).get("gpu");
            ASSIGNED.put(added.executorId(), gpu == null ? List.of() : List.of(gpu.addresses()));
        }
    }

    @TempDir
    Path tmp;

    @Test
    void eachTaskBindsAndRecordsTheGpuItsExecutorWasAssigned() throws Exception {
        // Workers start side by side in this JVM; mkdir is atomic, so each claims a different address.
        Path claims = Files.createDirectories(tmp.resolve("claims"));
        Path script = tmp.resolve("discover.sh");
        Files.writeString(script, "#!/bin/sh\ni=0\nwhile ! mkdir \"" + claims + "/$i\" 2>/dev/null; do i=$((i+1)); done\n"
                + "echo \"{\\\"name\\\":\\\"gpu\\\",\\\"addresses\\\":[\\\"$i\\\"]}\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        ASSIGNED.clear();

        // getOrCreate would hand back a session an earlier test class left running in this JVM
        // (a local one, with no workers to discover GPUs): stop it so this cluster starts.
        stopRunningSession();
        String previousTesting = System.getProperty("spark.testing");
        String previousHome = System.getProperty("spark.test.home");
        System.setProperty("spark.testing", "true");
        System.setProperty("spark.test.home", sparkTestHome().toString());
        SparkSession spark = TestSpark.builder("local-cluster[2,1,1024]")
                .config("spark.locality.wait", "0")
                // standalone: each worker discovers its GPUs and the master hands them to executors
                .config("spark.worker.resource.gpu.amount", "1")
                .config("spark.worker.resource.gpu.discoveryScript", script.toString())
                .config(GpuSettings.EXECUTOR_AMOUNT, "1")
                .config(GpuSettings.TASK_AMOUNT, "1")
                .config("spark.extraListeners", ExecutorResources.class.getName())
                .getOrCreate();
        try {
            GpuSettings.check(spark.sparkContext().getConf());
            awaitExecutors(2);
            Map<String, List<String>> assigned = new TreeMap<>(ASSIGNED);
            assertEquals(Set.of(List.of("0"), List.of("1")), new HashSet<>(assigned.values()),
                    "each executor was assigned its own worker's address: " + assigned);

            DeviceLog log = DeviceLog.register(spark.sparkContext(), "test.devices");
            List<TaskDevice> seen = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(IntStream.range(0, 8).boxed().toList(), 8)
                    .mapPartitions(it -> {
                        TaskDevice d = log.bindTask();
                        Thread.sleep(300); // keep the executor busy so the next task goes to the other
                        return List.of(d).iterator();
                    }).collect();
            for (TaskDevice d : seen) {
                assertEquals(assigned.get(d.executor()), d.gpus(), "task on executor " + d.executor());
                assertFalse(d.bound(), "the CPU backend binds nothing: " + d);
                assertEquals(1, d.threads(), "spark.task.cpus");
            }
            Set<String> executors = seen.stream().map(TaskDevice::executor).collect(Collectors.toSet());
            assertEquals(assigned.keySet(), executors, "tasks ran on both executors");
            Set<String> expected = assigned.entrySet().stream().map(e -> "executor " + e.getKey() + ": gpu "
                    + e.getValue().get(0) + " assigned, not bound: CPU backend, 1 thread").collect(Collectors.toSet());
            assertEquals(expected, log.value(), "the job's device log");

            String data = TinyDataset.write(spark, tmp.resolve("data"), 4, 24).toString();
            String run = tmp.resolve("run").toString();
            EngineConfig config = EngineConfig.of(2, 2, 2, 5).withSamples(2, 4).withCheckpoints(2, 0);
            new AveragingEngine(spark).train(new RunSpec(new TinyLogisticTrainer(TinyDataset.INPUTS, 8, 0.02f), data,
                    run, config, Map.of("model", "tiny-logistic")), ProgressListener.NONE);
            List<RoundRecord> rounds = MetricsLog.read(new org.apache.hadoop.fs.Path(run, RunDirectory.METRICS),
                    new Configuration());
            assertEquals(2, rounds.size());
            for (RoundRecord r : rounds) {
                assertEquals(2, r.devices().size(), "one device per worker in round " + r.round() + ": " + r.devices());
                for (String device : r.devices()) {
                    assertTrue(expected.contains(device), "round " + r.round() + " device " + device
                            + " is one the cluster assigned: " + expected);
                }
            }
        } finally {
            spark.stop();
            restore("spark.testing", previousTesting);
            restore("spark.test.home", previousHome);
        }
    }

    /** What local-cluster masters need from a Spark home when the executors reuse this JVM's class path. */
    private Path sparkTestHome() throws Exception {
        Path home = tmp.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("launcher").resolve("target").resolve("scala-2.12"));
        return home;
    }

    private static void awaitExecutors(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (ASSIGNED.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("executors did not register within 90 s: " + ASSIGNED);
            }
            Thread.sleep(200);
        }
    }

    private static void stopRunningSession() {
        scala.Option<SparkSession> active = SparkSession.getActiveSession();
        if (active.isDefined()) {
            active.get().stop();
        }
        scala.Option<SparkSession> defaultSession = SparkSession.getDefaultSession();
        if (defaultSession.isDefined()) {
            defaultSession.get().stop();
        }
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, previous);
        }
    }
}
