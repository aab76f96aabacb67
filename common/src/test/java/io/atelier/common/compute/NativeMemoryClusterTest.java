package io.atelier.common.compute;

import io.atelier.common.train.TestSpark;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JavaCPP limits inside a real executor JVM ({@code local-cluster[1,1,1024]}): the limits given in
 * {@code spark.executor.extraJavaOptions} are what a task's JavaCPP reports, and a task whose
 * tensor does not fit fails with the one line naming the limit while its executor lives on
 * (unguarded, JavaCPP's error takes the executor down with it).
 */
class NativeMemoryClusterTest {
    private static final String LIMITS =
            "-Dorg.bytedeco.javacpp.maxbytes=64m -Dorg.bytedeco.javacpp.maxphysicalbytes=900m";

    @TempDir
    Path tmp;

    @Test
    void anExecutorsTaskFailsInOneLineNamingTheLimitAndTheExecutorLivesOn() throws Exception {
        stopRunningSession();
        String previousTesting = System.getProperty("spark.testing");
        String previousHome = System.getProperty("spark.test.home");
        System.setProperty("spark.testing", "true");
        System.setProperty("spark.test.home", sparkTestHome().toString());
        SparkSession spark = TestSpark.builder("local-cluster[1,1,1024]")
                .config(NativeMemory.EXTRA_JAVA_OPTIONS, LIMITS)
                .config("spark.task.maxFailures", "1")
                .getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            // the options reached the executor JVM before JavaCPP's class initialised
            List<String> seen = sc.parallelize(List.of(1), 1).map(i -> org.apache.spark.SparkEnv.get().executorId()
                    + " " + Pointer.maxBytes() + " " + Pointer.maxPhysicalBytes()).collect();
            assertEquals(List.of("0 " + (64L << 20) + " " + (900L << 20)), seen);

            // 1.2 GB of floats: resident once filled, over the 900m physical limit at ND4J's next op
            SparkException failed = assertThrows(SparkException.class, () -> sc.parallelize(List.of(1), 1)
                    .map(i -> NativeMemory.guard(() -> Nd4j.create(DataType.FLOAT, 300_000_000L).addi(1).sumNumber()
                            .doubleValue())).collect());
            Throwable cause = failed;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            assertTrue(cause instanceof NativeMemory.LimitReachedException, "the task's error reached the driver: "
                    + failed);
            String line = cause.getMessage();
            assertFalse(line.contains("\n"), line);
            assertTrue(line.startsWith("native memory limit org.bytedeco.javacpp.maxphysicalbytes=900M reached on"
                    + " executor 0 (Physical memory usage is too high: physicalBytes ("), line);
            assertTrue(line.endsWith(") > maxPhysicalBytes (900M)): raise spark.executor.memoryOverhead or"
                    + " spark.executor.memory (the limit follows them on YARN and Kubernetes) or set"
                    + " -Dorg.bytedeco.javacpp.maxphysicalbytes higher in spark.executor.extraJavaOptions, or lower"
                    + " the batch size or the image size"), line);

            // not taken for fatal: the same executor runs the next job
            assertEquals(List.of("0"), sc.parallelize(List.of(1), 1)
                    .map(i -> org.apache.spark.SparkEnv.get().executorId()).collect());

            // why the guard: JavaCPP's own error, unguarded, takes the executor JVM down with the task
            assertThrows(SparkException.class, () -> sc.parallelize(List.of(1), 1)
                    .map(i -> Nd4j.create(DataType.FLOAT, 300_000_000L).addi(1).sumNumber().doubleValue()).collect());
            List<String> after = sc.parallelize(List.of(1), 1)
                    .map(i -> org.apache.spark.SparkEnv.get().executorId()).collect();
            assertFalse(after.contains("0"), "executor 0 exited and a new one ran the next job: " + after);
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

    private static void stopRunningSession() {
        if (SparkSession.getActiveSession().isDefined()) {
            SparkSession.getActiveSession().get().stop();
        }
        if (SparkSession.getDefaultSession().isDefined()) {
            SparkSession.getDefaultSession().get().stop();
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
