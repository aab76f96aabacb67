package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-diffusion and generate's diffusion samplers from the command line, on real Spark and real files. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class DiffusionCommandsTest {
    @TempDir
    static Path tmp;
    static String dataset;

    @BeforeAll
    static void makeDataset() throws IOException {
        Path photos = tmp.resolve("bars");
        SplittableRandom rng = new SplittableRandom(5);
        for (int c = 0; c < GanCommandsTest.CLASSES.length; c++) {
            Files.createDirectories(photos.resolve(GanCommandsTest.CLASSES[c]));
            for (int i = 0; i < 120; i++) {
                ImageIO.write(GanCommandsTest.bar(c, rng), "png",
                        photos.resolve(GanCommandsTest.CLASSES[c]).resolve(i + ".png").toFile());
            }
        }
        dataset = tmp.resolve("bars-ds").toString();
        AtelierCliTest.Result r = atelier("ingest", "--input", photos.toString(), "--output", dataset, "--size", "28",
                "--channels", "1", "--shards", "2", "--test-fraction", "0.25", "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void conditionalRunLearnsAndSamplesByLabelAndByPromptWhateverThePartitioning() throws IOException {
        Path run = tmp.resolve("run-diffusion");
        AtelierCliTest.Result r = atelier("train-diffusion", "--data", dataset, "--out", run.toString(), "--conditional",
                "--workers", "2", "--local-steps", "20", "--rounds", "12", "--batch", "24", "--base", "8",
                "--timesteps", "200", "--lr", "0.003", "--warmup", "20", "--ema-decay", "0.99", "--sample-every", "6",
                "--sample-count", "9", "--eval-every", "12", "--eval-count", "48", "--eval-features",
                Path.of(System.getProperty("atelier.repo.root", "..")).resolve(EvaluateCommand.DEFAULT_FEATURES).toString(),
                "--master", "local[2]");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("round 12/12"), "progress per round: " + r.out());
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        // FID of the EMA weights' samples after the last round, beside the real-vs-real floor.
        JsonNode scored = new ObjectMapper().readTree(metrics.get(11)).path("metrics");
        assertTrue(scored.path("fid").asDouble() > scored.path("fid_floor").asDouble(), "fid and its floor: " + scored);
        assertTrue(new ObjectMapper().readTree(metrics.get(5)).path("metrics").path("fid").isMissingNode(),
                "no evaluation at round 6");
        assertEquals(12, metrics.size(), "one metrics line per round");
        ObjectMapper json = new ObjectMapper();
        double first = json.readTree(metrics.get(0)).at("/metrics/loss").asDouble();
        double last = 0;
        for (String line : metrics.subList(9, 12)) {
            last += json.readTree(line).at("/metrics/loss").asDouble() / 3;
        }
        assertTrue(last < 0.6 * first, "the 2-worker run's loss falls: first round " + first + ", last three " + last);
        JsonNode resolved = json.readTree(run.resolve("config.json").toFile());
        assertEquals("diffusion", resolved.path("family").asText(), "run directories record the family id");
        assertEquals(200, resolved.at("/diffusion/timesteps").asInt());
        assertTrue(Files.exists(run.resolve("samples/round-0012.png")), "sample grid");
        assertTrue(Files.readString(run.resolve("report.html")).contains("data:image/png;base64,"));

        String one = tmp.resolve("gen-1").toString();
        String three = tmp.resolve("gen-3").toString();
        for (String[] out : new String[][]{{one, "1"}, {three, "3"}}) {
            AtelierCliTest.Result g = atelier("generate", "--model", run.toString(), "--count", "60", "--out", out[0],
                    "--label", "all", "--partitions", out[1], "--seed", "9", "--steps", "20", "--guidance", "6",
                    "--master", "local[2]");
            assertEquals(0, g.code(), g.err() + g.out());
        }
        SparkSession spark = SparkSession.active();
        Map<String, byte[]> a = GanCommandsTest.byOrigin(spark, one);
        Map<String, byte[]> b = GanCommandsTest.byOrigin(spark, three);
        assertEquals(60, a.size());
        for (String origin : a.keySet()) {
            assertArrayEquals(a.get(origin), b.get(origin), origin + " differs between 1 and 3 partitions");
        }
        double[][] means = GanCommandsTest.classMeans(spark, dataset);
        List<Row> byLabel = ImageDataset.open(spark, one).rows(spark).select("image", "label").collectAsList();
        int correct = 0;
        for (Row row : byLabel) {
            if (GanCommandsTest.nearest(means, SparkImage.fromRow(row.getStruct(0)).data()) == row.getInt(1)) {
                correct++;
            }
        }
        double accuracy = correct / (double) byLabel.size();
        assertTrue(accuracy >= 0.6, "samples recognised as their label: " + accuracy + " (chance 0.33)");

        String prompted = tmp.resolve("gen-prompt").toString();
        AtelierCliTest.Result p = atelier("generate", "--model", run.toString(), "--count", "24", "--out", prompted,
                "--prompt", "Bottom bar", "--steps", "20", "--guidance", "6", "--master", "local[2]");
        assertEquals(0, p.code(), p.err() + p.out());
        // Labels follow the dataset's (sorted) label names, not CLASSES' order.
        int bottomLabel = ImageDataset.open(spark, dataset).manifest().labelNames().indexOf("bar-bottom");
        int bottom = 0;
        List<Row> rows = ImageDataset.open(spark, prompted).rows(spark).select("image").collectAsList();
        for (Row row : rows) {
            if (GanCommandsTest.nearest(means, SparkImage.fromRow(row.getStruct(0)).data()) == bottomLabel) {
                bottom++;
            }
        }
        assertTrue(bottom >= 0.6 * rows.size(), "prompt 'Bottom bar' gives bar-bottom: " + bottom + " of " + rows.size());

        AtelierCliTest.Result unknown = atelier("generate", "--model", run.toString(), "--count", "4", "--out",
                tmp.resolve("gen-unknown").toString(), "--prompt", "sideways bar", "--master", "local[2]");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown word sideways") && unknown.err().contains("the model knows: bar, "),
                unknown.err());
        for (String word : List.of("top", "bottom", "middle", "vertical")) {
            assertTrue(unknown.err().contains(word), "the vocabulary is listed: " + unknown.err());
        }

        AtelierCliTest.Result ddpm = atelier("generate", "--model", run.toString(), "--count", "3", "--out",
                tmp.resolve("gen-ddpm").toString(), "--sampler", "ddpm", "--label", "0", "--master", "local[2]");
        assertEquals(0, ddpm.code(), ddpm.err() + ddpm.out());

        AtelierCliTest.Result resumed = atelier("train-diffusion", "--data", dataset, "--out", run.toString(), "--resume",
                "--conditional", "--workers", "2", "--local-steps", "20", "--rounds", "13", "--batch", "24", "--base", "8",
                "--timesteps", "200", "--lr", "0.003", "--warmup", "20", "--ema-decay", "0.99", "--sample-every", "6",
                "--sample-count", "9", "--master", "local[2]");
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        assertEquals(13, Files.readAllLines(run.resolve("metrics.jsonl")).size(), "resume adds the missing round");
    }
}
