package io.atelier.jobs;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/atelier-submit against a fake SPARK_HOME whose bin/spark-submit records its arguments and
 * the properties file it got, then hands them to Spark's real SparkSubmit, which runs
 * {@link SubmittedConf} to print the settings an application would see.
 */
class SubmitScriptTest {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;
    Path sparkHome;
    Path record;
    Path jar;

    @BeforeEach
    void fakeSparkHome() throws IOException {
        sparkHome = tmp.resolve("spark");
        record = Files.createDirectories(tmp.resolve("record"));
        Files.createDirectories(sparkHome.resolve("bin"));
        Files.createDirectories(sparkHome.resolve("conf"));
        Path stub = sparkHome.resolve("bin/spark-submit");
        Files.writeString(stub, """
                #!/usr/bin/env bash
                printf '%s\\n' "$@" >"$STUB_RECORD/args"
                prev=""
                for a in "$@"; do
                  [[ "$prev" == --properties-file ]] && cp "$a" "$STUB_RECORD/properties"
                  prev="$a"
                done
                if [[ -n "${STUB_CP:-}" ]]; then
                  mapfile -t flags < <(grep -v '^\\s*\\(#\\|$\\)' "$STUB_JVM_OPTIONS")
                  java "${flags[@]}" -cp "$STUB_CP" org.apache.spark.deploy.SparkSubmit "$@" || exit $?
                fi
                exit "${STUB_EXIT:-0}"
                """);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        // The cluster's own defaults: an event log, a queue, a YARN archive, a key Atelier also sets,
        // and one the user overrides with --conf.
        Files.writeString(sparkHome.resolve("conf/spark-defaults.conf"), """
                spark.eventLog.enabled            true
                spark.eventLog.dir                hdfs:///spark-history
                spark.yarn.queue                  analytics
                spark.yarn.archive=hdfs:///spark/spark-libs.zip
                spark.executor.memoryOverhead     1g
                spark.sql.shuffle.partitions      400""");  // no final newline, as hand-edited files often are
        jar = tmp.resolve("atelier-jobs.jar");
        new JarOutputStream(Files.newOutputStream(jar)).close();
    }

    record Run(int code, String out, List<String> args, Properties properties) {
    }

    Run submit(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("deploy/atelier-submit").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("SPARK_CONF_DIR");
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("ATELIER_JAR", jar.toString());
        pb.environment().put("STUB_RECORD", record.toString());
        pb.environment().put("STUB_JVM_OPTIONS", ROOT.resolve("conf/jvm.options").toString());
        pb.environment().put("TMPDIR", Files.createDirectories(tmp.resolve("tmpdir")).toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "atelier-submit did not finish");
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(record.resolve("properties"), StandardCharsets.UTF_8)) {
            props.load(r); // as Spark reads a properties file
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                Files.readAllLines(record.resolve("args")), props);
    }

    @Test
    void clusterDefaultsSurviveAteliersOwnKeysWinAndTheUsersConfWinsOverBoth() throws Exception {
        Run run = submit(Map.of("STUB_CP", System.getProperty("java.class.path")),
                "--master", "local[1]", "--conf", "spark.sql.shuffle.partitions=7",
                "--class", SubmittedConf.class.getName(), "--", "ingest", "--size", "16");
        assertEquals(0, run.code(), run.out());

        Properties p = run.properties();
        assertEquals("hdfs:///spark-history", p.getProperty("spark.eventLog.dir"), "cluster's event log kept");
        assertEquals("analytics", p.getProperty("spark.yarn.queue"), "cluster's queue kept");
        assertEquals("hdfs:///spark/spark-libs.zip", p.getProperty("spark.yarn.archive"), "cluster's YARN archive kept");
        assertEquals("2g", p.getProperty("spark.executor.memoryOverhead"), "Atelier's value wins on a key it sets");
        assertEquals("false", p.getProperty("spark.broadcast.compress"), "Atelier's own keys present");
        assertEquals("64m", p.getProperty("spark.task.maxDirectResultSize"));

        // What the application sees, through Spark's real SparkSubmit: --conf beats the properties file.
        Map<String, String> seen = new LinkedHashMap<>();
        run.out().lines().filter(l -> l.startsWith("conf ")).forEach(l -> {
            int eq = l.indexOf('=');
            seen.put(l.substring(5, eq), l.substring(eq + 1));
        });
        assertEquals("7", seen.get("spark.sql.shuffle.partitions"), "the user's --conf wins; saw " + seen);
        assertEquals("2g", seen.get("spark.executor.memoryOverhead"), "saw " + seen);
        assertEquals("analytics", seen.get("spark.yarn.queue"), "saw " + seen);
        assertEquals("true", seen.get("spark.eventLog.enabled"), "saw " + seen);
        assertTrue(run.out().contains("args ingest --size 16"), run.out());

        Path merged = Path.of(run.args().get(run.args().indexOf("--properties-file") + 1));
        assertFalse(Files.exists(merged), "the merged file is removed afterwards: " + merged);
    }

    @Test
    void sparkConfDirIsReadFirstAndSparkSubmitsExitCodeIsKept() throws Exception {
        Path confDir = Files.createDirectories(tmp.resolve("etc-spark"));
        Files.writeString(confDir.resolve("spark-defaults.conf"), "spark.yarn.queue nightly\n");
        Run run = submit(Map.of("SPARK_CONF_DIR", confDir.toString(), "STUB_EXIT", "3"), "--master", "yarn", "--", "inspect", "x");
        assertEquals(3, run.code(), "spark-submit's exit code passes through; " + run.out());
        assertEquals("nightly", run.properties().getProperty("spark.yarn.queue"));
        assertEquals(null, run.properties().getProperty("spark.eventLog.dir"), "SPARK_CONF_DIR replaces $SPARK_HOME/conf");
        assertEquals("2g", run.properties().getProperty("spark.executor.memoryOverhead"));
        int jarAt = run.args().indexOf(jar.toString());
        assertEquals(List.of("inspect", "x"), run.args().subList(jarAt + 1, run.args().size()), "the command follows the jar");
        assertTrue(run.args().indexOf("--master") < jarAt && run.args().indexOf("--properties-file") < jarAt, run.args().toString());
    }

    /** Kubernetes cluster mode runs the image's jar, which the submitting machine cannot see. */
    @Test
    void aLocalUriJarIsTheImagesCopyAndIsPassedOnUnchecked() throws Exception {
        String inImage = "local:///opt/atelier/atelier-jobs.jar";
        Run run = submit(Map.of("ATELIER_JAR", inImage), "--master", "k8s://https://127.0.0.1:6443",
                "--deploy-mode", "cluster", "--", "inspect", "x");
        assertEquals(0, run.code(), run.out());
        int jarAt = run.args().indexOf(inImage);
        assertTrue(jarAt > 0, "the local:// jar is spark-submit's application: " + run.args());
        assertEquals(List.of("inspect", "x"), run.args().subList(jarAt + 1, run.args().size()));
        assertEquals("PASSIVE", run.properties().getProperty("spark.executorEnv.OMP_WAIT_POLICY"),
                "Atelier's settings go with the submission");
    }
}
