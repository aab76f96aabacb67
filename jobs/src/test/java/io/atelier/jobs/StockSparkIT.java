package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.runs.MetricsLog;
import io.atelier.common.runs.RoundRecord;
import io.atelier.common.runs.RunDirectory;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded jar on a stock Spark: a Spark installation assembled from Spark's own published
 * artifacts only (deploy/stock-spark/pom.xml, at the root pom's Spark version; nothing of
 * Atelier's), its standalone master and two workers on 127.0.0.1 (deploy/standalone/local-cluster.sh
 * with SPARK_HOME set), and every command submitted through deploy/atelier-submit as a user would.
 * The installation is assembled once under jobs/target/ and reused. Several minutes on 2 cores, so
 * it runs when asked, as .ci/run does: {@code mvn -B verify -Datelier.stockspark=true -Dit.test=StockSparkIT}.
 */
@EnabledIfSystemProperty(named = "atelier.stockspark", matches = "true",
        disabledReason = "a stock Spark cluster and ten submissions take minutes; run with -Datelier.stockspark=true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StockSparkIT {
    static final Path ROOT = LocalStandaloneCluster.ROOT;
    static final List<String> TWO_EXECUTORS = List.of("--total-executor-cores", "2", "--executor-memory", "768m",
            "--conf", "spark.sql.shuffle.partitions=4");
    static final Pattern INGEST_SUMMARY = Pattern.compile("in (\\d+) = accepted (\\d+) \\+ duplicates (\\d+) \\+ quarantined (\\d+)");
    static final Configuration HADOOP = new Configuration();

    @TempDir
    static Path tmp;
    static Path home;
    static Path events;
    static LocalStandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        home = stockSparkHome();
        // The cluster's own settings, as an administrator keeps them: an event log, a setting for
        // executors, and a key Atelier sets too (Atelier's value must win for its own keys).
        events = Files.createDirectories(tmp.resolve("events"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/spark-defaults.conf"), String.join("\n",
                "spark.eventLog.enabled                     true",
                "spark.eventLog.dir                         " + events.toUri(),
                "spark.executorEnv.ATELIER_CLUSTER_SETTING  from-the-cluster",
                "spark.sql.parquet.compression.codec        zstd", ""));
        cluster = LocalStandaloneCluster.start(tmp.resolve("cluster"), 2, 1, "1g", home);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * jobs/target/stock-spark-VERSION: jars from deploy/stock-spark/pom.xml (Maven's
     * dependency:copy-dependencies, as docs/cluster.md shows) and its bin/spark-submit.
     */
    static Path stockSparkHome() throws Exception {
        String version = System.getProperty("atelier.spark.version");
        Matcher declared = Pattern.compile("<spark.version>([^<]+)</spark.version>")
                .matcher(Files.readString(ROOT.resolve("deploy/stock-spark/pom.xml")));
        assertTrue(declared.find(), "deploy/stock-spark/pom.xml declares spark.version");
        assertEquals(version, declared.group(1), "deploy/stock-spark/pom.xml's spark.version must equal the root pom's");
        Path dir = ROOT.resolve("jobs/target/stock-spark-" + version);
        Path jars = dir.resolve("jars");
        if (!Files.exists(jars.resolve("spark-core_2.12-" + version + ".jar"))) {
            Path log = Files.createTempFile(tmp, "stock-spark", ".log");
            Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-f", ROOT.resolve("deploy/stock-spark/pom.xml").toString(),
                    "dependency:copy-dependencies", "-Dspark.version=" + version, "-DoutputDirectory=" + jars)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertEquals(0, LocalStandaloneCluster.await(mvn, 600), "assembling the stock Spark home:\n" + Files.readString(log));
        }
        Path submit = Files.createDirectories(dir.resolve("bin")).resolve("spark-submit");
        Files.copy(ROOT.resolve("deploy/stock-spark/bin/spark-submit"), submit, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(submit.toFile().setExecutable(true));
        try (Stream<Path> files = Files.list(jars)) {
            List<String> foreign = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("(atelier|nd4j|deeplearning4j|datavec|javacpp|picocli).*")).toList();
            assertEquals(List.of(), foreign, "a stock Spark home holds nothing of Atelier's");
        }
        return dir;
    }

    record Run(int code, String log) {
    }

    static Run submit(String name, List<String> sparkOptions, String... command) throws Exception {
        Path log = tmp.resolve(name + ".log");
        int code = cluster.atelierSubmit(log, sparkOptions, 540, command);
        return new Run(code, Files.readString(log));
    }

    static Run submit(String name, String... command) throws Exception {
        Run run = submit(name, TWO_EXECUTORS, command);
        assertEquals(0, run.code(), name + " through atelier-submit:\n" + run.log());
        return run;
    }

    static String dataset() {
        return tmp.resolve("fashion").toString();
    }

    static String ganRun() {
        return tmp.resolve("dcgan").toString();
    }

    static String[] trainGan(int rounds, String... more) {
        List<String> args = new ArrayList<>(List.of("train-gan", "--data", dataset(), "--out", ganRun(), "--workers", "2",
                "--rounds", String.valueOf(rounds), "--local-steps", "2", "--batch", "16", "--checkpoint-every", "1",
                "--sample-every", "100", "--latent-dim", "32", "--generator-width", "16", "--discriminator-width", "16",
                "--seed", "7"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    static List<Integer> metricsRounds(String run) {
        return MetricsLog.read(RunDirectory.existing(run, HADOOP).metrics(), HADOOP).stream().map(RoundRecord::round).toList();
    }

    static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    /**
     * No class of the shaded jar is also in the stock Spark's jars: the libraries both bring are
     * relocated (io.atelier.shaded, org.nd4j.shade) or left to Spark's copy.
     */
    @Test
    @Order(0)
    void theJarSharesNoClassWithSparksOwnJars() throws Exception {
        java.util.Set<String> sparks = new java.util.HashSet<>();
        try (Stream<Path> jars = Files.list(home.resolve("jars"))) {
            for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
                    zip.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.endsWith(".class")
                            && !n.startsWith("META-INF/")).forEach(sparks::add);
                }
            }
        }
        assertTrue(sparks.size() > 50_000, "Spark's jars read: " + sparks.size() + " classes");
        List<String> shared;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(ShadedJarIT.JAR.toFile())) {
            shared = zip.stream().map(java.util.zip.ZipEntry::getName).filter(sparks::contains).sorted().toList();
        }
        assertEquals(List.of(), shared.stream().limit(20).toList(), shared.size() + " classes of atelier-jobs.jar are also in Spark's jars");
    }

    @Test
    @Order(1)
    void ingestOfTheVendoredSampleReconcilesAndMatchesItsManifest() throws Exception {
        Run ingest = submit("ingest", "ingest", "--input", ROOT.resolve("data/fashion-mnist/t10k-images-idx3-ubyte.gz").toString(),
                "--output", dataset(), "--size", "28", "--shards", "4");
        Matcher summary = INGEST_SUMMARY.matcher(ingest.log());
        assertTrue(summary.find(), "summary line missing:\n" + ingest.log());
        long in = Long.parseLong(summary.group(1));
        long accepted = Long.parseLong(summary.group(2));
        assertEquals(10_000, in, "the vendored test set's images");
        assertEquals(in, accepted + Long.parseLong(summary.group(3)) + Long.parseLong(summary.group(4)), summary.group());
        JsonNode manifest = json(Path.of(dataset(), "_manifest.json"));
        assertEquals(accepted, manifest.at("/counts/rows").asLong(), "rows in the manifest");
        assertEquals(4, manifest.at("/counts/perShard").size(), "shards in the manifest");
    }

    @Test
    @Order(2)
    void trainGanOnTwoWorkersThenResumeOneMoreRound() throws Exception {
        Run first = submit("train-gan", trainGan(2));
        assertTrue(first.log().contains("round 2/2"), "progress per round:\n" + first.log());
        assertEquals(List.of(1, 2), RunDirectory.existing(ganRun(), HADOOP).checkpoints().completeRounds(), "checkpoints");
        assertTrue(RunDirectory.existing(ganRun(), HADOOP).checkpoints().load(2).state().tensors().size() > 0,
                "the last checkpoint reopens");

        Run resumed = submit("train-gan-resume", trainGan(3, "--resume"));
        assertTrue(resumed.log().contains("round 3/3"), resumed.log());
        assertEquals(List.of(1, 2, 3), RunDirectory.existing(ganRun(), HADOOP).checkpoints().completeRounds(),
                "--resume trained one more round");
        assertEquals(List.of(1, 2, 3), metricsRounds(ganRun()), "one metrics line per round across both applications");
    }

    @Test
    @Order(3)
    void generateAndEvaluateFromTheRun() throws Exception {
        Path generated = tmp.resolve("generated");
        submit("generate", "generate", "--model", ganRun(), "--count", "24", "--out", generated.toString());
        assertEquals(24, json(generated.resolve("_manifest.json")).at("/counts/rows").asLong(), "generated rows");

        Path report = tmp.resolve("scores.json");
        submit("evaluate", "evaluate", "--real", dataset(), "--fake", ganRun(), "--split", "test", "--count", "60",
                "--features", ROOT.resolve("data/models/fashion-mnist-classifier.zip").toString(), "--out", report.toString());
        JsonNode scores = json(report);
        assertTrue(scores.at("/scores/fid").isNumber() && scores.at("/floor/fid").isNumber(), scores.toString());
        assertTrue(scores.at("/scores/fid").asDouble() > scores.at("/floor/fid").asDouble(),
                "two rounds of training score worse than real images against real ones: " + scores);
    }

    @Test
    @Order(4)
    void stylizeFastOverAFewImagesAndASecondRunAddsNothing() throws Exception {
        Path catalog = Files.createDirectories(tmp.resolve("catalog"));
        for (String name : List.of("astronaut.png", "chelsea.png", "coffee.png")) {
            Files.copy(ROOT.resolve("data/images/content").resolve(name), catalog.resolve(name));
        }
        Path out = tmp.resolve("stylized");
        String[] stylize = {"stylize", "--input", catalog.toString(), "--model", ROOT.resolve("data/models/style-scream").toString(),
                "--method", "fast", "--out", out.toString(), "--size", "32", "--images-per-task", "2"};
        Run first = submit("stylize", stylize);
        assertTrue(first.log().contains("stylize: in 3 = stylized 3 + skipped 0 + quarantined 0"), first.log());
        Run second = submit("stylize-again", stylize);
        assertTrue(second.log().contains("stylize: in 3 = stylized 0 + skipped 3 + quarantined 0"), second.log());
    }

    @Test
    @Order(5)
    void trainDiffusionOneRound() throws Exception {
        String run = tmp.resolve("diffusion").toString();
        Run r = submit("train-diffusion", "train-diffusion", "--data", dataset(), "--out", run, "--workers", "2",
                "--local-steps", "2", "--rounds", "1", "--batch", "16", "--base", "8", "--timesteps", "50",
                "--sample-every", "1", "--sample-count", "4", "--seed", "7");
        assertTrue(r.log().contains("round 1/1"), r.log());
        assertEquals(List.of(1), RunDirectory.existing(run, HADOOP).checkpoints().completeRounds(), "checkpoint");
        assertTrue(RunDirectory.existing(run, HADOOP).checkpoints().load(1).state().tensors().size() > 0, "it reopens");
        assertEquals(List.of(1), metricsRounds(run), "metrics rounds");
    }

    /**
     * A task sees Atelier's settings and the cluster's own together: atelier-submit merges
     * conf/spark-defaults.conf over the stock home's spark-defaults.conf, which Spark 3.5's
     * --properties-file would otherwise replace.
     */
    @Test
    @Order(6)
    void aTaskSeesAteliersSettingsAndTheClustersOwn() throws Exception {
        Path jar = ExecutorSettings.jar(tmp);
        List<String> options = new ArrayList<>(TWO_EXECUTORS);
        options.addAll(List.of("--jars", jar.toString(), "--class", ExecutorSettings.class.getName()));
        long logsBefore;
        try (Stream<Path> files = Files.list(events)) {
            logsBefore = files.count();
        }
        Run r = submit("executor-settings", options, "env:OMP_WAIT_POLICY", "env:ATELIER_CLUSTER_SETTING",
                "conf:spark.executor.memoryOverhead", "conf:spark.sql.parquet.compression.codec", "conf:spark.eventLog.enabled");
        assertEquals(0, r.code(), r.log());
        List<String> tasks = r.log().lines().filter(l -> l.startsWith("task ")).toList();
        assertEquals(2, tasks.size(), "one line per task:\n" + r.log());
        for (String task : tasks) {
            assertTrue(task.endsWith(" env:OMP_WAIT_POLICY=PASSIVE env:ATELIER_CLUSTER_SETTING=from-the-cluster"
                    + " conf:spark.executor.memoryOverhead=2g conf:spark.sql.parquet.compression.codec=snappy"
                    + " conf:spark.eventLog.enabled=true"), task);
        }
        try (Stream<Path> files = Files.list(events)) {
            assertTrue(files.count() > logsBefore, "the cluster's event log setting took effect");
        }
    }

    /** A master that does not answer: one line naming it, well within 30 s, not a minute of retries. */
    @Test
    @Order(7)
    void anUnreachableMasterIsOneLineNamingIt() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String master = "spark://127.0.0.1:" + closed;
        long start = System.nanoTime();
        Run r = submit("unreachable", List.of("--master", master), "inspect", dataset());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertNotEquals(0, r.code(), r.log());
        List<String> lines = r.log().lines().filter(l -> l.startsWith("atelier inspect:")).toList();
        assertEquals(1, lines.size(), r.log());
        assertTrue(lines.get(0).startsWith("atelier inspect: cannot reach the Spark master " + master), lines.get(0));
        assertTrue(seconds < 30, "answered after " + seconds + " s");
    }
}
