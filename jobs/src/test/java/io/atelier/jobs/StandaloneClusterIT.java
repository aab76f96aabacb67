package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployment path for real: a standalone master and two workers on 127.0.0.1 started by
 * deploy/standalone/local-cluster.sh, and the shaded jar submitted to them with SparkSubmit.
 */
class StandaloneClusterIT {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();
    static final Path SCRIPT = ROOT.resolve("deploy/standalone/local-cluster.sh");

    @TempDir
    static Path tmp;
    static int port;

    @BeforeAll
    static void startCluster() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process start = script("start", "2", "1", "1g");
        String out = output(start, 180);
        assertEquals(0, start.exitValue(), "cluster start failed: " + out);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        output(script("stop"), 60);
    }

    static Process script(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ATELIER_CLUSTER_DIR", tmp.resolve("cluster").toString());
        pb.environment().put("ATELIER_MASTER_PORT", String.valueOf(port));
        pb.environment().remove("SPARK_HOME");
        return pb.start();
    }

    static String output(Process p, long seconds) throws Exception {
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after " + seconds + " s");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void submittedIngestRunsOnTwoExecutorsAndWritesACompleteDataset() throws Exception {
        Path photos = tmp.resolve("photos");
        for (String label : new String[]{"a", "b"}) {
            Files.createDirectories(photos.resolve(label));
            for (int i = 0; i < 20; i++) {
                BufferedImage img = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(new Color(label.equals("a") ? 200 : 20, i * 12, 90));
                g.fillRect(0, 0, 24, 24);
                g.dispose();
                ImageIO.write(img, "png", photos.resolve(label).resolve(i + ".png").toFile());
            }
        }
        Files.writeString(photos.resolve("a").resolve("notes.png"), "not an image");
        Path out = tmp.resolve("dataset");

        Process submit = script("submit", "--total-executor-cores", "2", "--executor-memory", "768m", "--",
                "ingest", "--input", photos.toString(), "--output", out.toString(), "--size", "16", "--shards", "4");
        String log = output(submit, 300);
        assertEquals(0, submit.exitValue(), "spark-submit failed:\n" + log);
        assertTrue(log.contains("in 41 = accepted 40 + duplicates 0 + quarantined 1"), "summary line missing:\n" + log);

        JsonNode manifest = new ObjectMapper().readTree(out.resolve("_manifest.json").toFile());
        assertEquals(40, manifest.at("/counts/rows").asLong(), "rows in manifest");
        assertEquals(4, manifest.at("/counts/perShard").size(), "shards in manifest");
        long parquetFiles;
        try (var files = Files.walk(out)) {
            parquetFiles = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count();
        }
        assertTrue(parquetFiles >= 4, "one or more Parquet files per shard, got " + parquetFiles);
        String masterLog = Files.readString(tmp.resolve("cluster/master.log"));
        assertTrue(masterLog.contains("Registering app"), "the job ran on the standalone master");
    }
}
