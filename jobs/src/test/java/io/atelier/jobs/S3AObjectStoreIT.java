package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.runs.Checkpoints;
import io.atelier.common.runs.MetricsLog;
import io.atelier.common.runs.RoundRecord;
import io.atelier.common.runs.RunDirectory;
import io.atelier.common.style.FastStyleModel;
import io.atelier.common.style.TransformerNet;
import io.atelier.common.testing.SampleImages;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Run directories and outputs on s3a://, against S3Proxy (an S3 server from Maven Central,
 * objects in memory, AWS signatures checked) started on 127.0.0.1 in its own JVM. The commands run
 * in this JVM on an embedded local[2] Spark with the settings docs/cluster.md gives: S3A pointed
 * at the server (path-style, no TLS, its key pair) and Spark's Parquet writes through Hadoop's
 * S3A "magic" committer. Opt-in, as .ci/run runs it:
 * {@code mvn -B verify -pl common,jobs -Datelier.s3a=true -Dit.test=S3AObjectStoreIT}
 * (the s3a profile brings hadoop-aws, its AWS SDK bundle and S3Proxy).
 */
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "atelier.s3a", matches = "true",
        disabledReason = "needs hadoop-aws and S3Proxy from the s3a profile; run with -Datelier.s3a=true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class S3AObjectStoreIT {
    static final String BUCKET = "atelier";
    static final String KEY = "atelier-access";
    static final String SECRET = "atelier-secret";

    @TempDir
    static Path tmp;
    static Process server;
    static Configuration conf;
    static final Map<String, String> SETTINGS = new LinkedHashMap<>();

    @BeforeAll
    static void startServer() throws Exception {
        Path jar = Path.of(System.getProperty("atelier.s3proxy.jar", "target/s3proxy/s3proxy.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " is missing: the s3a profile copies it before the integration tests");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + port;
        Path props = tmp.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + KEY,
                "s3proxy.credential=" + SECRET,
                // In memory, keys as S3 keeps them: its folder store maps "dir/" keys to folders and
                // cannot delete a non-empty one, which S3A's directory markers ask of it.
                "jclouds.provider=transient") + "\n");
        server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", jar.toString(), "--properties", props.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!answers(endpoint)) {
            assertTrue(server.isAlive() && System.nanoTime() < deadline,
                    "S3Proxy did not start:\n" + Files.readString(tmp.resolve("s3proxy.log")));
            Thread.sleep(200);
        }

        // The settings docs/cluster.md lists, as spark.hadoop.* for Spark and plain for this test's reads.
        SETTINGS.put("fs.s3a.endpoint", endpoint);
        SETTINGS.put("fs.s3a.path.style.access", "true");
        SETTINGS.put("fs.s3a.connection.ssl.enabled", "false");
        SETTINGS.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        SETTINGS.put("fs.s3a.access.key", KEY);
        SETTINGS.put("fs.s3a.secret.key", SECRET);
        SETTINGS.put("fs.s3a.committer.name", "magic");
        SETTINGS.put("fs.s3a.committer.magic.enabled", "true");
        SETTINGS.put("mapreduce.outputcommitter.factory.scheme.s3a", "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory");
        conf = new Configuration();
        SETTINGS.forEach(conf::set);
        SETTINGS.forEach((k, v) -> System.setProperty("spark.hadoop." + k, v));
        System.setProperty("spark.sql.sources.commitProtocolClass",
                "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol");
        System.setProperty("spark.sql.parquet.output.committer.class",
                "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter");
        // Every task commit is a few S3 requests: Spark's 200 shuffle partitions would be 200 commits a stage.
        System.setProperty("spark.sql.shuffle.partitions", "4");
        // S3A creates no buckets; its own AWS client does (named by reflection: the SDK is on the
        // class path only in the s3a profile).
        Object client = fs().getClass().getMethod("getAmazonS3ClientForTesting", String.class).invoke(fs(), "create the bucket");
        client.getClass().getMethod("createBucket", String.class).invoke(client, BUCKET);
    }

    @AfterAll
    static void stopServer() {
        SETTINGS.keySet().forEach(k -> System.clearProperty("spark.hadoop." + k));
        System.clearProperty("spark.sql.sources.commitProtocolClass");
        System.clearProperty("spark.sql.parquet.output.committer.class");
        System.clearProperty("spark.sql.shuffle.partitions");
        if (server != null) {
            server.destroy();
        }
    }

    private static boolean answers(String endpoint) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + "/").toURL().openConnection();
            c.setConnectTimeout(500);
            c.getResponseCode(); // 403 without credentials: it is up
            c.disconnect();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String s3(String key) {
        return "s3a://" + BUCKET + "/" + key;
    }

    static FileSystem fs() throws IOException {
        return FileSystem.get(URI.create(s3("")), conf);
    }

    static JsonNode readJson(String path) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        try (var in = fs().open(p)) {
            return new ObjectMapper().readTree(in);
        }
    }

    static AtelierCliTest.Result atelier(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--master", "local[2]"));
        AtelierCliTest.Result r = AtelierCliTest.atelier(all.toArray(String[]::new));
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
        return r;
    }

    /** Ingested by the CLI onto the bucket: a dataset published on S3. */
    static String dataset() throws Exception {
        String ds = s3("datasets/bars");
        if (fs().exists(new org.apache.hadoop.fs.Path(ds))) {
            return ds;
        }
        Path photos = tmp.resolve("bars");
        SplittableRandom rng = new SplittableRandom(7);
        for (int c = 0; c < 2; c++) {
            Files.createDirectories(photos.resolve("class-" + c));
            for (int i = 0; i < 16; i++) {
                ImageIO.write(GanCommandsTest.bar(c, rng), "png", photos.resolve("class-" + c).resolve(i + ".png").toFile());
            }
        }
        atelier("ingest", "--input", photos.toString(), "--output", ds, "--size", "28", "--channels", "1", "--shards", "2");
        assertEquals(32, readJson(ds + "/_manifest.json").at("/counts/rows").asLong(), "ingested rows on S3");
        return ds;
    }

    static String[] trainGan(String data, String run, int rounds, String... more) {
        List<String> args = new ArrayList<>(List.of("train-gan", "--data", data, "--out", run, "--workers", "2",
                "--rounds", String.valueOf(rounds), "--local-steps", "2", "--batch", "8", "--checkpoint-every", "1"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    static List<Integer> completeRounds(String run) {
        return new ArrayList<>(RunDirectory.existing(run, conf).checkpoints().completeRounds());
    }

    @Test
    @Order(1)
    void trainResumeAndGenerateWithTheRunDirectoryOnS3() throws Exception {
        String run = s3("runs/gan");
        assertTrue(io.atelier.common.io.HadoopFiles.publishesOnClose(fs(), new org.apache.hadoop.fs.Path(run)),
                "S3A says a new object appears whole on close, so small files are written in place, not renamed");
        atelier(trainGan(dataset(), run, 1));
        assertEquals(List.of(1), completeRounds(run), "one checkpoint on S3");

        atelier(trainGan(dataset(), run, 2, "--resume"));
        assertEquals(List.of(1, 2), completeRounds(run), "--resume reopened round 1 and trained round 2");
        assertTrue(RunDirectory.existing(run, conf).checkpoints().load(2).state().tensors().size() > 0,
                "the last checkpoint reopens and verifies");
        assertEquals(List.of(1, 2), MetricsLog.read(RunDirectory.existing(run, conf).metrics(), conf).stream()
                .map(RoundRecord::round).toList(), "one metrics line per round across both runs");

        String generated = s3("generated/gan");
        atelier("generate", "--model", run, "--count", "12", "--out", generated);
        assertEquals(12, readJson(generated + "/_manifest.json").at("/counts/rows").asLong(), "generated rows");
        assertEquals(12, SparkSession.active().read().parquet(generated).count(), "rows readable from S3");
        for (FileStatus f : fs().listStatus(new org.apache.hadoop.fs.Path(generated))) {
            assertFalse(f.getPath().getName().endsWith(".crc") || f.getPath().getName().contains(".tmp"),
                    "nothing but the dataset is left: " + f.getPath());
        }
    }

    @Test
    @Order(2)
    void aCheckpointWithoutItsMarkerOnS3IsNeverRead() throws Exception {
        String run = s3("runs/gan");
        Checkpoints checkpoints = RunDirectory.existing(run, conf).checkpoints();
        // A writer that stopped after the files and before the marker: all files there, no _COMPLETE.
        org.apache.hadoop.fs.Path round3 = checkpoints.dir(3);
        org.apache.hadoop.fs.Path round2 = checkpoints.dir(2);
        for (String file : List.of(Checkpoints.STATE, Checkpoints.META, Checkpoints.SUMS)) {
            org.apache.hadoop.fs.FileUtil.copy(fs(), new org.apache.hadoop.fs.Path(round2, file), fs(),
                    new org.apache.hadoop.fs.Path(round3, file), false, conf);
        }
        // And one cut off mid-file.
        try (FSDataOutputStream out = fs().create(new org.apache.hadoop.fs.Path(checkpoints.dir(4), Checkpoints.STATE))) {
            out.write(new byte[]{1, 2, 3});
        }
        assertEquals(List.of(1, 2), checkpoints.completeRounds(), "unmarked checkpoints are not listed");
        assertEquals(2, checkpoints.loadLatest(w -> {
            throw new AssertionError("nothing should be moved aside: " + w);
        }).state().round(), "--resume would pick round 2");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> checkpoints.load(3));
        assertTrue(e.getMessage().contains("no _COMPLETE marker"), e.getMessage());

        checkpoints.removeUnfinished();
        assertFalse(fs().exists(round3), "an unmarked checkpoint is cleared");
        assertFalse(fs().exists(checkpoints.dir(4)), "a cut-off checkpoint is cleared");
        assertEquals(List.of(1, 2), checkpoints.completeRounds());
    }

    @Test
    @Order(3)
    void stylizeACatalogOntoS3TwiceAndTheSecondRunAddsNothing() throws Exception {
        Path catalog = tmp.resolve("catalog");
        for (int i = 0; i < 6; i++) {
            SampleImages.write(catalog.resolve(i % 2 == 0 ? "cats" : "dogs").resolve("p" + i + ".png"),
                    SampleImages.shape(i % 4, i, 40, 30), "png");
        }
        String model = s3("models/tiny");
        TransformerNet.Config config = new TransformerNet.Config(2, 1);
        new FastStyleModel("tiny", "none", config, TransformerNet.initial(config, 1), Map.of()).save(model, conf);
        String out = s3("out");
        String[] args = {"stylize", "--input", catalog.toString(), "--model", model, "--method", "fast",
                "--out", out, "--size", "24", "--png-dir", s3("out-png")};

        AtelierCliTest.Result first = atelier(args);
        assertTrue(first.out().contains("stylize: in 6 = stylized 6 + skipped 0 + quarantined 0"), first.out());
        assertEquals(6, SparkSession.active().read().parquet(out).count(), "rows on S3");
        assertEquals(6, fs().listStatus(new org.apache.hadoop.fs.Path(s3("out-png/tiny/cats"))).length
                + fs().listStatus(new org.apache.hadoop.fs.Path(s3("out-png/tiny/dogs"))).length, "PNGs on S3");

        AtelierCliTest.Result second = atelier(args);
        assertTrue(second.out().contains("stylize: in 6 = stylized 0 + skipped 6 + quarantined 0"), second.out());
        assertEquals(6, SparkSession.active().read().parquet(out).count(), "a second run adds no rows");
        assertEquals(6, SparkSession.active().read().parquet(out).select("id", "style").distinct().count());
        // The magic committer publishes at job commit: no pending uploads or staging paths stay behind.
        assertFalse(fs().exists(new org.apache.hadoop.fs.Path(out, "__magic")), "the committer cleaned up");
        JsonNode success = readJson(out + "/_SUCCESS");
        assertTrue(success.path("committer").asText().toLowerCase(java.util.Locale.ROOT).contains("magic"),
                "the S3A magic committer wrote the output (its _SUCCESS is a JSON summary):\n" + success);
    }

    /**
     * translate with its model and output on S3: a one-round CycleGAN trained onto the bucket (from
     * the bucket's dataset, its two classes as the domains), then five pictures and a broken one
     * translated into s3a://atelier/translated twice. The broken one goes to the output's quarantine
     * table, which the second run replaces by copying its one file in place: still one file and one row.
     */
    @Test
    @Order(4)
    void translateACatalogOntoS3TwiceAndTheSecondRunAddsNothing() throws Exception {
        String model = s3("runs/cyclegan");
        atelier("train-gan", "--model", "cyclegan", "--data", dataset(), "--out", model, "--domain-a", "class-0",
                "--domain-b", "class-1", "--generator-width", "4", "--discriminator-width", "4", "--residual-blocks", "1",
                "--batch", "2", "--local-steps", "2", "--pool-size", "2", "--rounds", "1", "--sample-every", "1",
                "--sample-count", "2");
        assertEquals(List.of(1), completeRounds(model), "the CycleGAN's checkpoint on S3");
        Path catalog = tmp.resolve("translate-catalog");
        for (int i = 0; i < 5; i++) {
            SampleImages.write(catalog.resolve(i % 2 == 0 ? "a" : "b").resolve("p" + i + ".png"),
                    SampleImages.shape(i % 4, i, 40, 30), "png");
        }
        byte[] png = SampleImages.encode(SampleImages.shape(1, 9, 40, 30), "png");
        SampleImages.write(catalog.resolve("a/truncated.png"), SampleImages.truncate(png, png.length / 2));
        String out = s3("translated");
        String[] args = {"translate", "--model", model, "--direction", "a2b", "--input", catalog.toString(), "--out", out};
        org.apache.hadoop.fs.Path quarantine = new org.apache.hadoop.fs.Path(out, io.atelier.common.catalog.Quarantine.DIRECTORY);

        AtelierCliTest.Result first = atelier(args);
        assertTrue(first.out().contains("translate: in 6 = translated 5 + skipped 0 + quarantined 1"), first.out());
        assertEquals(5, SparkSession.active().read().parquet(out).count(), "rows on S3");
        assertEquals(List.of("a/truncated.png"), SparkSession.active().read().parquet(quarantine.toString())
                .select("origin").as(org.apache.spark.sql.Encoders.STRING()).collectAsList().stream()
                .map(o -> o.substring(o.indexOf("translate-catalog/") + "translate-catalog/".length())).toList(),
                "the broken file in the quarantine on S3");

        AtelierCliTest.Result second = atelier(args);
        assertTrue(second.out().contains("translate: in 6 = translated 0 + skipped 5 + quarantined 1"), second.out());
        assertEquals(5, SparkSession.active().read().parquet(out).count(), "a second run adds no rows");
        assertEquals(5, SparkSession.active().read().parquet(out).select("id").distinct().count(), "one row per image");
        assertEquals(List.of(io.atelier.common.catalog.Quarantine.FILE), Arrays.stream(fs().listStatus(quarantine))
                .map(f -> f.getPath().getName()).toList(), "the quarantine is its one file, replaced in place");
        assertEquals(1, SparkSession.active().read().parquet(quarantine.toString()).count(), "and one row");
        for (FileStatus f : fs().listStatus(new org.apache.hadoop.fs.Path(out))) {
            assertFalse(f.getPath().getName().startsWith(io.atelier.common.catalog.Quarantine.DIRECTORY + "-"),
                    "no quarantine written aside is left: " + f.getPath());
        }
        assertTrue(readJson(out + "/_SUCCESS").path("committer").asText().toLowerCase(java.util.Locale.ROOT)
                .contains("magic"), "the rows were committed by the S3A magic committer");
    }
}
