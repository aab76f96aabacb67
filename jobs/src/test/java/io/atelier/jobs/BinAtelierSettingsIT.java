package io.atelier.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bin/atelier's settings path, from inside a task on its embedded local Spark: the launcher passes
 * conf/spark-defaults.conf as it is passed to spark-submit, exports OMP_WAIT_POLICY, and lets the
 * user's own -Dspark.* (ATELIER_JAVA_OPTS) win, as --conf does on spark-submit. After `package`, as
 * bin/atelier runs the build's class path (jobs/target/classpath.txt).
 */
class BinAtelierSettingsIT {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void aTaskOnTheEmbeddedSparkSeesAteliersSettingsAndTheUsersOwn() throws Exception {
        Path classpath = ROOT.resolve("jobs/target/classpath.txt");
        assumeTrue(Files.exists(classpath), "bin/atelier's class path file is written by `package` (not by -Pcuda)");
        // The reactor has just compiled jobs/target/classes; bin/atelier must run them, not build again.
        Files.setLastModifiedTime(classpath, FileTime.fromMillis(System.currentTimeMillis()));
        Path events = Files.createDirectories(tmp.resolve("events"));
        Path log = tmp.resolve("atelier.log");
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("bin/atelier").toString(),
                "env:OMP_WAIT_POLICY", "conf:spark.executor.memoryOverhead", "conf:spark.driver.maxResultSize",
                "conf:spark.broadcast.compress", "conf:spark.sql.parquet.compression.codec", "conf:spark.eventLog.enabled")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.remove("OMP_WAIT_POLICY"); // this JVM's own (the test plugin sets it): bin/atelier must set it
        env.put("ATELIER_MAIN", ExecutorSettings.class.getName());
        env.put("ATELIER_CLASSPATH", ExecutorSettings.jar(tmp).toString());
        env.put("ATELIER_CACHE", tmp.resolve("cache").toString());
        env.put("ATELIER_DRIVER_MEMORY", "1g");
        // The user's settings: one Atelier also sets (the user's must win) and two of its own.
        env.put("ATELIER_JAVA_OPTS", "-Dspark.sql.parquet.compression.codec=zstd -Dspark.eventLog.enabled=true"
                + " -Dspark.eventLog.dir=" + events.toUri());
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "bin/atelier ran past 300 s:\n" + Files.readString(log));
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);

        List<String> tasks = out.lines().filter(l -> l.startsWith("task ")).toList();
        assertEquals(2, tasks.size(), "one line per task:\n" + out);
        for (String task : tasks) {
            assertTrue(task.startsWith("task executor=driver "), "local mode runs tasks in the launcher's JVM: " + task);
            assertTrue(task.endsWith(" env:OMP_WAIT_POLICY=PASSIVE conf:spark.executor.memoryOverhead=2g"
                    + " conf:spark.driver.maxResultSize=2g conf:spark.broadcast.compress=false"
                    + " conf:spark.sql.parquet.compression.codec=zstd conf:spark.eventLog.enabled=true"), task);
        }
        try (Stream<Path> files = Files.list(events)) {
            assertEquals(1, files.count(), "the user's event log setting took effect");
        }
    }
}
