package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.families.stylegan.StyleGanTrainer;
import io.atelier.common.runs.RunDirectory;
import io.atelier.common.runs.TrainingState;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-gan --model stylegan and generate from the command line, end to end on real Spark and real files. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class StyleGanCommandTest {
    @TempDir
    static Path tmp;
    /** The bar images at 16 px, and at 28 px (not a StyleGAN size). */
    static String bars16;
    static String bars28;

    @BeforeAll
    static void makeDatasets() throws IOException {
        Path photos = tmp.resolve("bars");
        SplittableRandom rng = new SplittableRandom(5);
        for (int c = 0; c < GanCommandsTest.CLASSES.length; c++) {
            Files.createDirectories(photos.resolve(GanCommandsTest.CLASSES[c]));
            for (int i = 0; i < 16; i++) {
                ImageIO.write(GanCommandsTest.bar(c, rng), "png", photos.resolve(GanCommandsTest.CLASSES[c]).resolve(i + ".png").toFile());
            }
        }
        bars16 = ingest(photos, "bars16", 16);
        bars28 = ingest(photos, "bars28", 28);
    }

    private static String ingest(Path photos, String name, int size) {
        String out = tmp.resolve(name).toString();
        AtelierCliTest.Result r = atelier("ingest", "--input", photos.toString(), "--output", out, "--size", String.valueOf(size),
                "--channels", "1", "--shards", "2", "--test-fraction", "0.25", "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        return out;
    }

    /** Narrow networks, 2 workers x 2 local steps of 4 images; everything else as a real run. */
    private static AtelierCliTest.Result train(String data, String out, int rounds, String... more) {
        List<String> args = new ArrayList<>(List.of("train-gan", "--model", "stylegan", "--data", data, "--out", out,
                "--channels", "4", "--latent-dim", "8", "--mapping-layers", "1", "--batch", "4", "--local-steps", "2",
                "--rounds", String.valueOf(rounds), "--sample-every", "1", "--sample-count", "4", "--checkpoint-every", "1",
                "--master", "local[2]"));
        args.addAll(List.of(more));
        return atelier(args.toArray(String[]::new));
    }

    @Test
    void trainsResumesBitIdenticallyAndGeneratesWithTruncationAndMixing() throws IOException {
        Path whole = tmp.resolve("whole");
        // FID after the last round, through the sampler generate uses; scoring reads the state only,
        // so the resumed run below (without it) must still match this one bit for bit.
        AtelierCliTest.Result r = train(bars16, whole.toString(), 3, "--eval-every", "3", "--eval-count", "16",
                "--eval-features", "random");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("round 3/3"), r.out());
        List<String> lines = Files.readAllLines(whole.resolve("metrics.jsonl"));
        assertEquals(3, lines.size());
        JsonNode last = new ObjectMapper().readTree(lines.get(2)).at("/metrics");
        assertTrue(last.at("/fid").asDouble(-1) > 0 && last.at("/fid_floor").asDouble(-1) >= 0, last.toString());
        assertTrue(new ObjectMapper().readTree(lines.get(0)).at("/metrics/fid").isMissingNode(), "not scored in round 1");
        JsonNode config = new ObjectMapper().readTree(whole.resolve("config.json").toFile());
        assertEquals("stylegan", config.at("/family").asText());
        assertEquals(16, config.at("/stylegan/imageSize").asInt());
        assertTrue(Files.exists(whole.resolve("samples/round-0003.png")), "sample grid per round");
        assertTrue(Files.readString(whole.resolve("report.html")).contains("r1"), "report charts the R1 penalty");

        // Two workers' state, checkpointed after 2 rounds and resumed, equals 3 rounds at once.
        Path split = tmp.resolve("split");
        assertEquals(0, train(bars16, split.toString(), 2).code());
        AtelierCliTest.Result resumed = train(bars16, split.toString(), 3, "--resume");
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        Configuration conf = new Configuration();
        TrainingState a = RunDirectory.existing(whole.toString(), conf).checkpoints().load(3).state();
        TrainingState b = RunDirectory.existing(split.toString(), conf).checkpoints().load(3).state();
        assertTrue(a.bitIdentical(b), "2 rounds + resume to 3 differs from 3 rounds at once");
        assertFalse(Arrays.equals(a.get(StyleGanTrainer.W_AVG), new float[8]), "w_avg is tracked in the state");

        // psi 0 with the constant noise maps: one image for every z.
        Path png = tmp.resolve("mean-png");
        AtelierCliTest.Result mean = atelier("generate", "--model", whole.toString(), "--count", "4", "--out",
                tmp.resolve("mean").toString(), "--png-dir", png.toString(), "--truncation", "0", "--master", "local[2]");
        assertEquals(0, mean.code(), mean.err() + mean.out());
        List<byte[]> images = pngs(png);
        assertEquals(4, images.size());
        for (byte[] image : images) {
            assertArrayEquals(images.get(0), image, "psi 0 gives the mean image for every sample");
        }
        Path freePng = tmp.resolve("free-png");
        assertEquals(0, atelier("generate", "--model", whole.toString(), "--count", "4", "--out", tmp.resolve("free").toString(),
                "--png-dir", freePng.toString(), "--mix-seed", "3", "--mix-layers", "2-5", "--noise-mode", "random",
                "--master", "local[2]").code());
        List<byte[]> free = pngs(freePng);
        assertFalse(Arrays.equals(free.get(0), free.get(1)), "without truncation the samples differ");

        AtelierCliTest.Result range = atelier("generate", "--model", whole.toString(), "--count", "4", "--out",
                tmp.resolve("bad").toString(), "--mix-seed", "3", "--mix-layers", "0-9", "--master", "local[2]");
        assertEquals(2, range.code());
        assertTrue(range.err().contains("6 style layers (0-5)"), range.err());
        AtelierCliTest.Result steps = atelier("generate", "--model", whole.toString(), "--count", "4", "--out",
                tmp.resolve("bad2").toString(), "--steps", "5", "--master", "local[2]");
        assertEquals(2, steps.code());
        assertTrue(steps.err().contains("--steps") && steps.err().contains("StyleGAN"), steps.err());
    }

    @Test
    void anAdaRunWithPathLengthResumesBitIdenticallyWithItsPAndPlMeanAndLogsThemEveryRound() throws IOException {
        // p starts at 0.5 and moves by 16 images / 200 = 0.08 a round, up or down (r_t, a mean of 16 signs, is never 0.6).
        // Path length on steps 0 and 4 (rounds 1 and 3): the resumed round takes pl_mean from the checkpoint.
        String[] ada = {"--augment", "ada", "--augment-p", "0.5", "--ada-kimg", "0.2", "--pl-weight", "2"};
        Path whole = tmp.resolve("ada-whole");
        AtelierCliTest.Result r = train(bars16, whole.toString(), 3, ada);
        assertEquals(0, r.code(), r.err() + r.out());
        Path split = tmp.resolve("ada-split");
        assertEquals(0, train(bars16, split.toString(), 2, ada).code());
        List<String> resume = new ArrayList<>(List.of(ada));
        resume.add("--resume");
        AtelierCliTest.Result resumed = train(bars16, split.toString(), 3, resume.toArray(String[]::new));
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        Configuration conf = new Configuration();
        TrainingState a = RunDirectory.existing(whole.toString(), conf).checkpoints().load(3).state();
        TrainingState b = RunDirectory.existing(split.toString(), conf).checkpoints().load(3).state();
        assertTrue(a.bitIdentical(b), "2 rounds + resume to 3 differs from 3 rounds at once (p and pl_mean included)");

        // Each round augments with the p of the state it started from; the driver then moves p by the
        // round's r_t, averaged over both workers' steps, and 2 workers x 2 steps x 4 images.
        io.atelier.common.families.stylegan.augment.AdaController controller =
                new io.atelier.common.families.stylegan.augment.AdaController(0.6, 200);
        ObjectMapper json = new ObjectMapper();
        double p = 0.5;
        double plMean = 0;
        int round = 0;
        for (String line : Files.readAllLines(whole.resolve("metrics.jsonl"))) {
            JsonNode metrics = json.readTree(line).at("/metrics");
            round++;
            assertEquals(round != 2, metrics.at("/pl_penalty").asDouble() > 0, "path-length steps in rounds 1 and 3: " + line);
            plMean = metrics.at("/pl_mean").asDouble();
            assertEquals(p, metrics.at("/ada_p").asDouble(), 0.0, line);
            double rt = metrics.at("/ada_rt").asDouble();
            assertTrue(rt >= -1 && rt <= 1, line);
            p = (float) controller.next(p, rt, 16);
        }
        assertEquals((float) p, a.get(StyleGanTrainer.ADA_P)[0], 0.0);
        assertTrue(p != 0.5, "p moved");
        assertEquals(3, round);
        assertTrue(plMean > 0, "pl_mean moved from 0");
        assertEquals(plMean, a.get(StyleGanTrainer.PL_MEAN)[0], 1e-6 * plMean, "the last round's pl_mean is the state's");
        JsonNode config = json.readTree(whole.resolve("config.json").toFile());
        assertEquals("ada", config.at("/stylegan/augment/mode").asText());
        assertEquals(2.0, config.at("/stylegan/plWeight").asDouble(), "config.json records the path-length weight");
        assertTrue(Files.readString(whole.resolve("report.html")).contains("ada_rt"), "report charts r_t");

        AtelierCliTest.Result bad = train(bars16, tmp.resolve("ada-bad").toString(), 1, "--augment", "sometimes");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--augment sometimes") && bad.err().contains("fixed"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }

    @Test
    void anImageSizeThatIsNotAPowerOfTwoIsRefusedBeforeTraining() {
        AtelierCliTest.Result r = train(bars28, tmp.resolve("r28").toString(), 1);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("power of two") && r.err().contains("28 px"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("r28").resolve("metrics.jsonl")));
        AtelierCliTest.Result batch = atelier("train-gan", "--model", "stylegan", "--data", bars16, "--out",
                tmp.resolve("b6").toString(), "--batch", "6", "--master", "local[2]");
        assertEquals(2, batch.code());
        assertTrue(batch.err().contains("--batch 6") && batch.err().contains("multiple of 4"), batch.err());
    }

    private static List<byte[]> pngs(Path dir) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
        }
        return out;
    }
}
