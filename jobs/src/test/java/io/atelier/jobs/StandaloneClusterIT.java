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
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployment path for real: a standalone master and two workers on 127.0.0.1 started by
 * deploy/standalone/local-cluster.sh, and the shaded jar submitted to them with SparkSubmit.
 */
class StandaloneClusterIT {
    @TempDir
    static Path tmp;
    static LocalStandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalStandaloneCluster.start(tmp.resolve("cluster"), 2, 1, "1g");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
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

        Process submit = cluster.script("submit", "--total-executor-cores", "2", "--executor-memory", "768m", "--",
                "ingest", "--input", photos.toString(), "--output", out.toString(), "--size", "16", "--shards", "4");
        String log = LocalStandaloneCluster.output(submit, 300);
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
