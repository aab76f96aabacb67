package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two executor processes ({@code local-cluster[2,1,1024]}: 2 executors, 1 core, 1 GiB each): the
 * state, the worker cache and the averaging cross process boundaries, and the result must equal
 * the same run inside one JVM bit for bit.
 */
class LocalClusterTrainingTest {
    private static final int SHARDS = 4;
    private static final int PER_SHARD = 24;

    @TempDir
    Path tmp;

    @Test
    void twoExecutorProcessesGiveTheSameStateAsOneJvm() throws Exception {
        EngineConfig config = EngineConfig.of(2, 3, 3, 11).withSamples(3, 4).withCheckpoints(3, 0);
        TinyLogisticTrainer trainer = new TinyLogisticTrainer(TinyDataset.INPUTS, 8, 0.02f);

        String data;
        TrainingState single;
        SparkSession local = TestSpark.builder("local[2]").getOrCreate();
        try {
            data = TinyDataset.write(local, tmp.resolve("data"), SHARDS, PER_SHARD).toString();
            single = new AveragingEngine(local).train(spec(trainer, data, "local-run", config), ProgressListener.NONE).state();
        } finally {
            local.stop();
        }

        TrainingResult cluster;
        Set<String> roundExecutors = ConcurrentHashMap.newKeySet();
        // The in-process master and workers read their settings from system properties.
        String previousTesting = System.getProperty("spark.testing");
        String previousHome = System.getProperty("spark.test.home");
        System.setProperty("spark.testing", "true");
        System.setProperty("spark.test.home", sparkTestHome().toString());
        SparkSession spark = TestSpark.builder("local-cluster[2,1,1024]")
                // run each round's two tasks at once on the two executors, wherever their blocks are
                .config("spark.locality.wait", "0")
                .getOrCreate();
        try {
            awaitExecutors(spark, 2);
            Set<Integer> roundStages = ConcurrentHashMap.newKeySet();
            spark.sparkContext().addSparkListener(new SparkListener() {
                @Override
                public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
                    String description = submitted.properties().getProperty("spark.job.description");
                    if (description != null && description.startsWith("round")) {
                        roundStages.add(submitted.stageInfo().stageId());
                    }
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    if (roundStages.contains(end.stageId())) {
                        roundExecutors.add(end.taskInfo().executorId());
                    }
                }
            });
            cluster = new AveragingEngine(spark).train(spec(trainer, data, "cluster-run", config), ProgressListener.NONE);
        } finally {
            spark.stop();
            restore("spark.testing", previousTesting);
            restore("spark.test.home", previousHome);
        }
        assertEquals(2, roundExecutors.size(), "rounds ran on both executor processes: " + roundExecutors);
        assertEquals((long) SHARDS * TinyDataset.trainPerShard(PER_SHARD), cluster.imagesDecoded(),
                "each image decoded once across the executors");

        assertTrue(single.bitIdentical(cluster.state()), "local-cluster and local runs must agree bit for bit");
    }

    private RunSpec spec(TinyLogisticTrainer trainer, String data, String run, EngineConfig config) {
        return new RunSpec(trainer, data, tmp.resolve(run).toString(), config, Map.of("model", "tiny-logistic"));
    }

    /** What local-cluster masters need from a Spark home when the executors reuse this JVM's class path. */
    private Path sparkTestHome() throws Exception {
        Path home = tmp.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("launcher").resolve("target").resolve("scala-2.12"));
        return home;
    }

    private static void awaitExecutors(SparkSession spark, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L;
        // the driver is listed too
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < count + 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("executors did not register within 90 s");
            }
            Thread.sleep(200);
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
