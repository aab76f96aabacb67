package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.runs.MetricsLog;
import io.atelier.common.runs.RoundRecord;
import io.atelier.common.runs.RunDirectory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * YARN and HDFS for real: Hadoop's MiniDFSCluster and MiniYARNCluster (one DataNode, one
 * NodeManager) run in this JVM, their settings go to a HADOOP_CONF_DIR, and the shaded jar is
 * submitted with deploy/atelier-submit --master yarn in client and cluster mode, every path on hdfs://.
 * The Spark installation is assembled from the test class path (Spark, spark-yarn, the shaded
 * Hadoop client); containers read its jars in place (spark.yarn.jars=local:...). Several minutes
 * on 2 cores, so it runs when asked, as .ci/run does after the default build:
 * {@code mvn -B verify -Datelier.yarn=true -Dit.test=YarnClusterIT}.
 */
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "atelier.yarn", matches = "true",
        disabledReason = "mini YARN and HDFS clusters take several minutes; run with -Datelier.yarn=true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class YarnClusterIT {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();

    @TempDir
    static Path tmp;
    static MiniDFSCluster dfs;
    static MiniYARNCluster yarn;
    static YarnClient yarnClient;
    static Configuration conf;
    static Path confDir;
    static Path sparkHome;
    static String hdfs;

    @BeforeAll
    static void startClusters() throws Exception {
        long start = System.nanoTime();
        conf = new YarnConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        dfs.waitActive();
        hdfs = "hdfs://127.0.0.1:" + dfs.getNameNodePort();
        conf.set("fs.defaultFS", hdfs);

        // One NodeManager with room for the ApplicationMaster and two executors (Atelier asks for
        // 2g of native headroom per executor); YARN's memory checks off, as the machine is shared.
        conf.setInt(YarnConfiguration.YARN_MINICLUSTER_NM_PMEM_MB, 12288);
        conf.setInt(YarnConfiguration.NM_VCORES, 8);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, 6144);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.9f);
        // The capacity scheduler's one queue, which a Hadoop installation's capacity-scheduler.xml would give.
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        conf.set("yarn.scheduler.capacity.root.default.maximum-capacity", "100");
        conf.set("yarn.scheduler.capacity.maximum-am-resource-percent", "0.5");
        conf.set("yarn.scheduler.capacity.node-locality-delay", "-1");
        yarn = new MiniYARNCluster("atelier-yarn-it", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        Configuration running = new Configuration(yarn.getConfig());
        // The ResourceManager's port is known once it has started.
        for (int i = 0; i < 600 && running.get(YarnConfiguration.RM_ADDRESS).endsWith(":0"); i++) {
            Thread.sleep(100);
            running = new Configuration(yarn.getConfig());
        }
        // What a cluster's HADOOP_CONF_DIR tells its clients: the NameNode and the ResourceManager's
        // addresses; the rest of the mini clusters' settings (test-only classes among them) stay here.
        Configuration core = new Configuration(false);
        core.set("fs.defaultFS", hdfs);
        Configuration site = new Configuration(false);
        running.getPropsWithPrefix("yarn.resourcemanager.").forEach((key, value) -> {
            if (key.endsWith("address")) {
                site.set("yarn.resourcemanager." + key, value);
            }
        });
        confDir = Files.createDirectories(tmp.resolve("hadoop-conf"));
        try (OutputStream out = Files.newOutputStream(confDir.resolve("core-site.xml"))) {
            core.writeXml(out);
        }
        try (OutputStream out = Files.newOutputStream(confDir.resolve("yarn-site.xml"))) {
            site.writeXml(out);
        }
        running.set("fs.defaultFS", hdfs);
        conf = running;
        yarnClient = YarnClient.createYarnClient();
        yarnClient.init(conf);
        yarnClient.start();
        sparkHome = assembleSparkHome(tmp.resolve("spark-home"));
        System.out.printf("YarnClusterIT: HDFS at %s and YARN at %s up in %.1f s%n", hdfs,
                conf.get(YarnConfiguration.RM_ADDRESS), (System.nanoTime() - start) / 1e9);
    }

    @AfterAll
    static void stopClusters() {
        if (yarnClient != null) {
            yarnClient.stop();
        }
        if (yarn != null) {
            yarn.stop();
        }
        if (dfs != null) {
            dfs.shutdown();
        }
    }

    /**
     * A SPARK_HOME whose jars/ links to this JVM's class path less Atelier's own classes and the
     * test tools, and whose bin/spark-submit starts SparkSubmit on them with HADOOP_CONF_DIR first on the class path, as
     * Spark's own launcher does; deploy/atelier-submit runs it.
     */
    static Path assembleSparkHome(Path home) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path jar = Path.of(entry).toAbsolutePath();
            String name = jar.getFileName().toString();
            if (!name.endsWith(".jar") || jar.startsWith(ROOT) || name.startsWith("hadoop-client-minicluster")
                    || name.matches("(junit|opentest4j|apiguardian|hamcrest|surefire|archunit|common-java|bcprov|bcpkix|bcutil).*")
                    || Files.exists(jars.resolve(name))) {
                continue;
            }
            Files.createSymbolicLink(jars.resolve(name), jar);
        }
        List<String> flags = Files.readAllLines(ROOT.resolve("conf/jvm.options")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        Path submit = Files.createDirectories(home.resolve("bin")).resolve("spark-submit");
        Files.writeString(submit, "#!/usr/bin/env bash\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' " + String.join(" ", flags) + " -cp \"${HADOOP_CONF_DIR:+$HADOOP_CONF_DIR:}$SPARK_HOME/jars/*\" org.apache.spark.deploy.SparkSubmit \"$@\"\n");
        assertTrue(submit.toFile().setExecutable(true));
        return home;
    }

    record Submitted(int code, String log, ApplicationReport app, int attempts) {
    }

    /** deploy/atelier-submit --master yarn [options] -- command...; waits for YARN's final report. */
    static Submitted submit(List<String> sparkOptions, String... command) throws Exception {
        Set<ApplicationId> before = new HashSet<>();
        yarnClient.getApplications().forEach(a -> before.add(a.getApplicationId()));
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("deploy/atelier-submit").toString(),
                "--master", "yarn", "--num-executors", "2", "--executor-cores", "1", "--executor-memory", "768m",
                "--driver-memory", "1g", "--conf", "spark.yarn.jars=local:" + sparkHome.resolve("jars") + "/*"));
        cmd.addAll(sparkOptions);
        cmd.add("--");
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("HADOOP_CONF_DIR", confDir.toString());
        pb.environment().remove("SPARK_CONF_DIR");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Path logFile = Files.createTempFile(tmp, "submit", ".log");
        Process p = pb.redirectOutput(logFile.toFile()).start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("spark-submit ran past 600 s:\n" + Files.readString(logFile));
        }
        String log = Files.readString(logFile);
        List<ApplicationReport> apps = yarnClient.getApplications().stream()
                .filter(a -> !before.contains(a.getApplicationId())).toList();
        assertEquals(1, apps.size(), "one YARN application per submission:\n" + log);
        ApplicationId id = apps.get(0).getApplicationId();
        ApplicationReport report = yarnClient.getApplicationReport(id);
        // In client mode the ApplicationMaster unregisters after the driver has gone.
        for (int i = 0; i < 600 && !Set.of(YarnApplicationState.FINISHED, YarnApplicationState.FAILED,
                YarnApplicationState.KILLED).contains(report.getYarnApplicationState()); i++) {
            Thread.sleep(100);
            report = yarnClient.getApplicationReport(id);
        }
        return new Submitted(p.exitValue(), log, report, yarnClient.getApplicationAttempts(id).size());
    }

    static void assertSucceededOnce(Submitted s) {
        assertEquals(0, s.code(), "spark-submit's exit code:\n" + s.log());
        assertEquals(FinalApplicationStatus.SUCCEEDED, s.app().getFinalApplicationStatus(),
                "final status; diagnostics: " + s.app().getDiagnostics() + "\n" + s.log());
        assertEquals(1, s.attempts(), "application attempts");
    }

    static JsonNode readJson(String path) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        try (var in = p.getFileSystem(conf).open(p)) {
            return new ObjectMapper().readTree(in);
        }
    }

    static List<Integer> completeRounds(String run) {
        return new ArrayList<>(RunDirectory.existing(run, conf).checkpoints().completeRounds());
    }

    /** Ingested in this JVM on an embedded Spark, straight onto HDFS. */
    static String dataset() throws Exception {
        String ds = hdfs + "/datasets/bars";
        if (FileSystem.get(conf).exists(new org.apache.hadoop.fs.Path(ds))) {
            return ds;
        }
        Path photos = tmp.resolve("bars");
        SplittableRandom rng = new SplittableRandom(7);
        for (int c = 0; c < 2; c++) {
            Files.createDirectories(photos.resolve("class-" + c));
            for (int i = 0; i < 32; i++) {
                ImageIO.write(GanCommandsTest.bar(c, rng), "png", photos.resolve("class-" + c).resolve(i + ".png").toFile());
            }
        }
        AtelierCliTest.Result r = AtelierCliTest.atelier("ingest", "--input", photos.toString(), "--output", ds,
                "--size", "28", "--channels", "1", "--shards", "2", "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        return ds;
    }

    static String[] trainGan(String data, String run, int rounds, String... more) {
        List<String> args = new ArrayList<>(List.of("train-gan", "--data", data, "--out", run, "--workers", "2",
                "--rounds", String.valueOf(rounds), "--local-steps", "2", "--batch", "16", "--checkpoint-every", "1"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    @Order(1)
    void trainGanInClientModeSucceedsOnceWithItsRunDirectoryOnHdfs() throws Exception {
        String run = hdfs + "/runs/client";
        Submitted s = submit(List.of("--deploy-mode", "client"), trainGan(dataset(), run, 2));
        assertSucceededOnce(s);
        assertTrue(s.log().contains("round 2/2"), "the driver's progress is in the client's output:\n" + s.log());
        assertEquals(List.of(1, 2), completeRounds(run), "checkpoints on HDFS");
        assertTrue(RunDirectory.existing(run, conf).checkpoints().load(2).state().tensors().size() > 0,
                "the last checkpoint reopens");
    }

    @Test
    @Order(2)
    void trainGanInClusterModeThenResumeAndGenerateFromIt() throws Exception {
        String run = hdfs + "/runs/cluster";
        assertSucceededOnce(submit(List.of("--deploy-mode", "cluster"), trainGan(dataset(), run, 2)));
        assertEquals(List.of(1, 2), completeRounds(run), "checkpoints written by a driver inside YARN");

        assertSucceededOnce(submit(List.of("--deploy-mode", "cluster"),
                trainGan(dataset(), run, 3, "--resume")));
        assertEquals(List.of(1, 2, 3), completeRounds(run), "--resume trained one more round");
        assertEquals(List.of(1, 2, 3), MetricsLog.read(RunDirectory.existing(run, conf).metrics(), conf).stream()
                .map(RoundRecord::round).toList(), "one metrics line per round across both applications");

        String generated = hdfs + "/generated/cluster";
        Submitted gen = submit(List.of("--deploy-mode", "client"),
                "generate", "--model", run, "--count", "24", "--out", generated);
        assertSucceededOnce(gen);
        assertEquals(24, readJson(generated + "/_manifest.json").at("/counts/rows").asLong(), "generated rows");
    }

    @Test
    @Order(3)
    void aBadFlagInClusterModeFailsTheApplicationWithTheUsersExitCode() throws Exception {
        // One attempt: YARN would otherwise run a failed application again (yarn.resourcemanager.am.max-attempts).
        Submitted s = submit(List.of("--deploy-mode", "cluster", "--conf", "spark.yarn.maxAppAttempts=1"),
                "train-gan", "--data", hdfs + "/datasets/none", "--out", hdfs + "/runs/bad", "--no-such-flag");
        assertNotEquals(0, s.code(), "spark-submit reports the failure:\n" + s.log());
        assertEquals(FinalApplicationStatus.FAILED, s.app().getFinalApplicationStatus(), s.app().getDiagnostics());
        assertEquals(1, s.attempts(), "application attempts");
        String diagnostics = s.app().getDiagnostics();
        assertTrue(diagnostics.contains("User application exited with status 2"), "the usage error's exit code: " + diagnostics);
        assertFalse(diagnostics.contains("Shutdown hook called before final status was reported"),
                "no early exit (EXIT_EARLY): " + diagnostics);
    }

    /**
     * What a task sees in each deploy mode: Atelier's settings (conf/spark-defaults.conf through
     * atelier-submit's merge), the cluster's own spark-defaults.conf (an executor variable, an event
     * log on HDFS, and a Parquet codec that Atelier sets too, where Atelier's value must win), and the
     * JavaCPP limits that SparkSessions derives for YARN's containers, read in the executor's JVM.
     * The NodeManager runs in this JVM, whose environment has OMP_WAIT_POLICY already, so the
     * executor's Spark setting for it is checked besides the variable.
     */
    @Test
    @Order(4)
    void aTaskSeesAteliersSettingsAndTheClustersOwnInBothDeployModes() throws Exception {
        String events = hdfs + "/spark-events";
        FileSystem.get(conf).mkdirs(new org.apache.hadoop.fs.Path(events));
        Path clusterDefaults = Files.createDirectories(sparkHome.resolve("conf")).resolve("spark-defaults.conf");
        Files.writeString(clusterDefaults, String.join("\n",
                "spark.eventLog.enabled                     true",
                "spark.eventLog.dir                         " + events,
                "spark.executorEnv.ATELIER_CLUSTER_SETTING  from-the-cluster",
                "spark.sql.parquet.compression.codec        zstd", ""));
        try {
            Path jar = ExecutorSettings.jar(tmp);
            // 768m of heap and Atelier's 2g overhead: maxbytes = 2048m - 384m, maxphysicalbytes = 768m + that.
            String expected = " env:OMP_WAIT_POLICY=PASSIVE conf:spark.executorEnv.OMP_WAIT_POLICY=PASSIVE"
                    + " env:ATELIER_CLUSTER_SETTING=from-the-cluster"
                    + " conf:spark.executor.memoryOverhead=2g conf:spark.sql.parquet.compression.codec=snappy"
                    + " conf:spark.eventLog.enabled=true sys:org.bytedeco.javacpp.maxbytes=1664m"
                    + " sys:org.bytedeco.javacpp.maxphysicalbytes=2432m";
            for (String mode : List.of("client", "cluster")) {
                String lines = hdfs + "/executor-settings/" + mode + ".txt";
                int logsBefore = FileSystem.get(conf).listStatus(new org.apache.hadoop.fs.Path(events)).length;
                Submitted s = submit(List.of("--deploy-mode", mode, "--jars", jar.toString(),
                                "--class", ExecutorSettings.class.getName()),
                        "env:OMP_WAIT_POLICY", "conf:spark.executorEnv.OMP_WAIT_POLICY", "env:ATELIER_CLUSTER_SETTING",
                        "conf:spark.executor.memoryOverhead",
                        "conf:spark.sql.parquet.compression.codec", "conf:spark.eventLog.enabled",
                        "sys:org.bytedeco.javacpp.maxbytes", "sys:org.bytedeco.javacpp.maxphysicalbytes", "to:" + lines);
                assertSucceededOnce(s);
                List<String> tasks = new String(io.atelier.common.io.HadoopFiles.readAll(new org.apache.hadoop.fs.Path(lines), conf),
                        java.nio.charset.StandardCharsets.UTF_8).lines().toList();
                assertEquals(2, tasks.size(), mode + " mode: one line per task: " + tasks);
                for (String task : tasks) {
                    assertTrue(task.matches("task executor=\\d+ partition=\\d.*"), mode + " mode: a task on an executor: " + task);
                    assertTrue(task.endsWith(expected), mode + " mode:\n  expected ..." + expected + "\n  got " + task);
                }
                assertEquals(logsBefore + 1, FileSystem.get(conf).listStatus(new org.apache.hadoop.fs.Path(events)).length,
                        mode + " mode: the cluster's event log setting took effect");
            }
        } finally {
            Files.delete(clusterDefaults);
        }
    }
}
