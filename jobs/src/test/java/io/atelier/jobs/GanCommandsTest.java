package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.image.SparkImage;
import io.atelier.common.runs.RunDirectory;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-gan and generate from the command line, end to end on real Spark and real files. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class GanCommandsTest {
    static final String[] CLASSES = {"bar-top", "bar-bottom", "bar-middle-vertical"};

    @TempDir
    static Path tmp;
    static String dataset;

    @BeforeAll
    static void makeDataset() throws IOException {
        Path photos = tmp.resolve("bars");
        SplittableRandom rng = new SplittableRandom(5);
        for (int c = 0; c < CLASSES.length; c++) {
            Files.createDirectories(photos.resolve(CLASSES[c]));
            for (int i = 0; i < 120; i++) {
                ImageIO.write(bar(c, rng), "png", photos.resolve(CLASSES[c]).resolve(i + ".png").toFile());
            }
        }
        dataset = tmp.resolve("bars-ds").toString();
        AtelierCliTest.Result r = atelier("ingest", "--input", photos.toString(), "--output", dataset, "--size", "28",
                "--channels", "1", "--shards", "2", "--test-fraction", "0.25", "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
    }

    /** Three classes that differ in where the bright mass lies, with jitter and noise. */
    static BufferedImage bar(int cls, SplittableRandom rng) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        int jitter = rng.nextInt(-2, 3);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                boolean on = switch (cls) {
                    case 0 -> y >= 3 + jitter && y < 10 + jitter;
                    case 1 -> y >= 18 + jitter && y < 25 + jitter;
                    default -> x >= 11 + jitter && x < 17 + jitter;
                };
                int v = (on ? 220 : 20) + rng.nextInt(-15, 16);
                img.getRaster().setSample(x, y, 0, v);
            }
        }
        return img;
    }

    @Test
    void anOutputThatCannotBeCreatedIsRefusedInOneLineBeforeAnyJobRuns() throws IOException {
        // A file where the run directory's parent should be: not creatable even for root, whom
        // permission bits would not stop.
        Path blocker = Files.writeString(tmp.resolve("not-a-directory"), "x");
        String out = blocker.resolve("run").toString();
        org.apache.spark.SparkContext sc = org.apache.spark.sql.SparkSession.builder().master("local[2]")
                .getOrCreate().sparkContext();
        int jobsBefore = sc.statusTracker().getJobIdsForGroup(null).length;
        AtelierCliTest.Result r = atelier("train-gan", "--data", dataset, "--out", out, "--rounds", "1",
                "--workers", "1", "--local-steps", "1", "--batch", "8", "--master", "local[2]");
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.err().lines().filter(l -> l.startsWith("atelier ")).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).contains(blocker.toString()), lines.get(0));
        assertEquals(jobsBefore, sc.statusTracker().getJobIdsForGroup(null).length, "a Spark job ran first");
        assertTrue(Files.isRegularFile(blocker), "the file in the way is left as it was");
    }

    @Test
    void trainGanWritesARunDirectoryAndRefusesToOverwriteIt() throws IOException {
        Path run = tmp.resolve("run-plain");
        Path config = tmp.resolve("gan.json");
        Files.writeString(config, "{\"rounds\": 2, \"localSteps\": 2, \"batch\": 16}");
        AtelierCliTest.Result r = atelier("train-gan", "--data", dataset, "--out", run.toString(), "--config",
                config.toString(), "--rounds", "3", "--sample-every", "1", "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("round 3/3"), "progress per round: " + r.out());
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(3, metrics.size(), "one metrics line per round");
        JsonNode resolved = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals(3, resolved.at("/settings/rounds").asInt(), "the flag overrides the file");
        assertEquals(2, resolved.at("/settings/localSteps").asInt(), "the file overrides the default");
        assertTrue(Files.exists(run.resolve("samples/round-0003.png")), "sample grid per round");
        String report = Files.readString(run.resolve("report.html"));
        assertTrue(report.contains("data:image/png;base64,"), "report embeds its images");

        AtelierCliTest.Result again = atelier("train-gan", "--data", dataset, "--out", run.toString(), "--rounds", "3",
                "--master", "local[2]");
        assertEquals(2, again.code(), "a second run into the same directory must be refused");
        assertEquals(metrics, Files.readAllLines(run.resolve("metrics.jsonl")), "nothing overwritten");

        AtelierCliTest.Result typo = atelier("train-gan", "--data", dataset, "--out", tmp.resolve("x").toString(),
                "--config", writeConfig("{\"round\": 2}").toString(), "--master", "local[2]");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("unknown setting 'round'"), typo.err());

        AtelierCliTest.Result sampler = atelier("generate", "--model", run.toString(), "--count", "4", "--out",
                tmp.resolve("gen-sampler").toString(), "--sampler", "ddim", "--master", "local[2]");
        assertEquals(2, sampler.code(), "sampler options are refused for a GAN run");
        assertTrue(sampler.err().contains("--sampler") && sampler.err().contains("GAN run"), sampler.err());
    }

    @Test
    void aRunWhoseLossGoesToNanStopsWithOneLineAndWritesNoBadCheckpoint() throws IOException {
        Path run = tmp.resolve("run-diverges");
        AtelierCliTest.Result r = atelier("train-gan", "--data", dataset, "--out", run.toString(), "--rounds", "4",
                "--local-steps", "2", "--batch", "16", "--lr", "1e30", "--checkpoint-every", "1", "--master", "local[2]");

        assertEquals(1, r.code(), r.err());
        List<String> err = r.err().lines().filter(l -> l.startsWith("atelier ")).toList();
        assertEquals(1, err.size(), r.err());
        assertTrue(err.get(0).startsWith("atelier train-gan: failed: training diverged on 2 attempts: worker ")
                && (err.get(0).contains(": tensor '") || err.get(0).contains(": metric '")) && err.get(0).contains("--lr"),
                err.get(0));
        assertFalse(r.err().contains("ATELIER_DEBUG"), "a diverged run is no program fault: " + r.err());

        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertTrue(lines.stream().noneMatch(l -> l.contains("NaN") && !l.startsWith("{\"event\"")),
                "no round with NaN metrics was logged: " + lines);
        List<String> events = lines.stream().filter(l -> l.startsWith("{\"event\":\"diverged\"")).toList();
        assertTrue(events.size() >= 2 && events.get(events.size() - 1).contains("\"action\":\"stop\""), lines.toString());
        RunDirectory dir = RunDirectory.existing(run.toString(), new org.apache.hadoop.conf.Configuration());
        for (int round : dir.checkpoints().completeRounds()) {
            for (Map.Entry<String, float[]> t : dir.checkpoints().load(round).state().tensors().entrySet()) {
                for (float v : t.getValue()) {
                    assertTrue(Float.isFinite(v), "checkpoint " + round + " tensor " + t.getKey() + " holds " + v);
                }
            }
        }
        assertTrue(Files.readString(run.resolve("report.html")).contains("Stopped on divergence"));
    }

    private static Path writeConfig(String json) throws IOException {
        Path p = Files.createTempFile(tmp, "cfg", ".json");
        Files.writeString(p, json);
        return p;
    }

    @Test
    void conditionalSamplesAreRecognisedAsTheirLabelAndGenerationIgnoresPartitioning() throws IOException {
        Path run = tmp.resolve("run-conditional");
        Path features = Path.of(System.getProperty("atelier.repo.root", "..")).resolve(EvaluateCommand.DEFAULT_FEATURES);
        AtelierCliTest.Result r = atelier("train-gan", "--data", dataset, "--out", run.toString(), "--conditional",
                "--workers", "2", "--local-steps", "10", "--rounds", "12", "--batch", "32", "--lr", "0.0005",
                "--ema-decay", "0.99", "--sample-every", "4", "--eval-every", "6", "--eval-count", "60",
                "--eval-features", features.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err() + r.out());

        // FID after rounds 6 and 12 joins those rounds' metrics, the report charts it over its floor,
        // and config.json records how it was computed.
        List<JsonNode> lines = Files.readAllLines(run.resolve("metrics.jsonl")).stream().map(GanCommandsTest::json).toList();
        for (JsonNode line : lines) {
            int round = line.get("round").asInt();
            assertEquals(round % 6 == 0, line.at("/metrics/fid").isNumber(), "fid in round " + round + ": " + line);
        }
        double fid6 = lines.get(5).at("/metrics/fid").asDouble();
        double fid12 = lines.get(11).at("/metrics/fid").asDouble();
        double floor = lines.get(11).at("/metrics/fid_floor").asDouble();
        assertTrue(fid12 > floor && floor > 0, "FID " + fid12 + " above its floor " + floor);
        assertTrue(r.out().contains("evaluated in"), "the evaluation's time is printed: " + r.out());
        assertTrue(Files.readString(run.resolve("report.html")).contains("alt=\"fid (dashed: floor"), "FID chart");
        JsonNode evaluation = new ObjectMapper().readTree(run.resolve("config.json").toFile()).get("evaluation");
        assertEquals(6, evaluation.get("every").asInt(), evaluation.toString());
        assertEquals(60, evaluation.get("count").asInt());
        assertEquals(dataset, evaluation.get("data").asText(), "the training data by default");
        assertEquals(64, evaluation.at("/features/sha256").asText().length());

        String one = tmp.resolve("gen-1").toString();
        String three = tmp.resolve("gen-3").toString();
        assertEquals(0, atelier("generate", "--model", run.toString(), "--count", "150", "--out", one, "--label", "all",
                "--partitions", "1", "--seed", "9", "--master", "local[2]").code());
        assertEquals(0, atelier("generate", "--model", run.toString(), "--count", "150", "--out", three, "--label", "all",
                "--partitions", "3", "--seed", "9", "--master", "local[2]").code());

        SparkSession spark = SparkSession.active();
        Map<String, byte[]> a = byOrigin(spark, one);
        Map<String, byte[]> b = byOrigin(spark, three);
        assertEquals(150, a.size());
        for (String origin : a.keySet()) {
            assertArrayEquals(a.get(origin), b.get(origin), origin + " differs between 1 and 3 partitions");
        }

        // The check: the nearest real class mean. The classes differ only in where the bright bar
        // lies, so a sample drawn for class L that looks like L lies closest to L's mean image;
        // chance is 1/3.
        double[][] means = classMeans(spark, dataset);
        List<Row> generated = ImageDataset.open(spark, one).rows(spark).select("image", "label").collectAsList();
        int correct = 0;
        for (Row row : generated) {
            byte[] px = SparkImage.fromRow(row.getStruct(0)).data();
            if (nearest(means, px) == row.getInt(1)) {
                correct++;
            }
        }
        double accuracy = correct / (double) generated.size();
        assertTrue(accuracy >= 0.8, "generated samples recognised as their label: " + accuracy + " (chance 0.33)");

        // evaluate --fake RUN samples the run through generate's code path, then scores them: the
        // same samples and real images as the FID of the last round.
        Path report = tmp.resolve("scores.json");
        AtelierCliTest.Result scored = atelier("evaluate", "--real", dataset, "--fake", run.toString(), "--split", "test",
                "--count", "60", "--features", features.toString(), "--out", report.toString(), "--master", "local[2]");
        assertEquals(0, scored.code(), scored.err() + scored.out());
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        // Equal up to float rounding: the images are batched and summed over partitions differently.
        assertEquals(fid12, json.at("/scores/fid").asDouble(), 1e-6 * fid12, "evaluate of round 12 == its FID in training");
        assertEquals(floor, json.at("/floor/fid").asDouble(), 1e-6 * floor, "the same floor");
        assertTrue(fid6 != fid12, "the score follows training: " + fid6 + " then " + fid12);
        assertEquals(60, ImageDataset.open(spark, report + ".samples").manifest().counts().rows(),
                "the scored samples stay beside the report");
    }

    private static JsonNode json(String line) {
        try {
            return new ObjectMapper().readTree(line);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Map<String, byte[]> byOrigin(SparkSession spark, String dir) {
        return ImageDataset.open(spark, dir).rows(spark).select("image.origin", "image.data").collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(0).substring(r.getString(0).indexOf('#')), r -> (byte[]) r.get(1)));
    }

    static double[][] classMeans(SparkSession spark, String dir) {
        double[][] sums = new double[CLASSES.length][28 * 28];
        Map<Integer, Integer> counts = new HashMap<>();
        for (Row row : ImageDataset.open(spark, dir).rows(spark).select("image", "label").collectAsList()) {
            int label = row.getInt(1);
            byte[] px = SparkImage.fromRow(row.getStruct(0)).data();
            for (int i = 0; i < px.length; i++) {
                sums[label][i] += px[i] & 0xFF;
            }
            counts.merge(label, 1, Integer::sum);
        }
        for (int c = 0; c < sums.length; c++) {
            double[] sum = sums[c];
            int n = counts.getOrDefault(c, 1);
            Arrays.setAll(sum, i -> sum[i] / n);
        }
        return sums;
    }

    static int nearest(double[][] means, byte[] px) {
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        for (int c = 0; c < means.length; c++) {
            double d = 0;
            for (int i = 0; i < px.length; i++) {
                double diff = (px[i] & 0xFF) - means[c][i];
                d += diff * diff;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }
}
