package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.families.cyclegan.CycleGanTrainer;
import io.atelier.common.runs.CheckpointMeta;
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
import java.util.List;
import java.util.SplittableRandom;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-gan --model cyclegan from the command line, end to end on real Spark and real files. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class CycleGanCommandTest {
    @TempDir
    static Path tmp;
    static String dataset;
    /** One dataset per domain: bar-top images, bar-bottom images, and bar-bottom at 32 px. */
    static String tops;
    static String bottoms;
    static String bottoms32;

    @BeforeAll
    static void makeDataset() throws IOException {
        Path photos = tmp.resolve("bars");
        SplittableRandom rng = new SplittableRandom(9);
        for (int c = 0; c < GanCommandsTest.CLASSES.length; c++) {
            Files.createDirectories(photos.resolve(GanCommandsTest.CLASSES[c]));
            for (int i = 0; i < 40; i++) {
                ImageIO.write(GanCommandsTest.bar(c, rng), "png",
                        photos.resolve(GanCommandsTest.CLASSES[c]).resolve(i + ".png").toFile());
            }
        }
        dataset = tmp.resolve("bars-ds").toString();
        AtelierCliTest.Result r = atelier("ingest", "--input", photos.toString(), "--output", dataset, "--size", "28",
                "--channels", "1", "--shards", "2", "--test-fraction", "0.25", "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        tops = ingestClass(0, "tops", 28);
        bottoms = ingestClass(1, "bottoms", 28);
        bottoms32 = ingestClass(1, "bottoms32", 32);
    }

    /** A dataset of one bar class's images, as a domain of its own. */
    private static String ingestClass(int c, String name, int size) throws IOException {
        Path photos = tmp.resolve(name + "-photos").resolve(GanCommandsTest.CLASSES[c]);
        Files.createDirectories(photos);
        SplittableRandom rng = new SplittableRandom(11 + c);
        for (int i = 0; i < 24; i++) {
            ImageIO.write(GanCommandsTest.bar(c, rng), "png", photos.resolve(i + ".png").toFile());
        }
        String out = tmp.resolve(name).toString();
        AtelierCliTest.Result r = atelier("ingest", "--input", photos.getParent().toString(), "--output", out, "--size",
                String.valueOf(size), "--channels", "1", "--shards", "2", "--test-fraction", "0.25", "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        return out;
    }

    /** Narrow networks; everything else as a real run. */
    private static List<String> tiny(String out, int rounds, String... more) {
        return tiny(List.of("--data", dataset, "--domain-a", "bar-top", "--domain-b", "bar-bottom"), out, rounds, more);
    }

    /** The same with the domains given by {@code data} (a dataset and its labels, or two datasets). */
    private static List<String> tiny(List<String> data, String out, int rounds, String... more) {
        List<String> args = new ArrayList<>(List.of("train-gan", "--model", "cyclegan", "--out", out));
        args.addAll(data);
        args.addAll(List.of("--generator-width", "4", "--discriminator-width", "4",
                "--residual-blocks", "1", "--batch", "2", "--local-steps", "2", "--pool-size", "3", "--decay-from", "2",
                "--rounds", String.valueOf(rounds), "--sample-every", "1", "--sample-count", "2", "--master", "local[2]"));
        args.addAll(List.of(more));
        return args;
    }

    private static AtelierCliTest.Result run(List<String> args) {
        return atelier(args.toArray(String[]::new));
    }

    @Test
    void trainsAndResumesBitIdenticallyWithThePoolsInTheCheckpoints() throws IOException {
        Path whole = tmp.resolve("whole");
        AtelierCliTest.Result r = run(tiny(whole.toString(), 3));
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("round 3/3"), r.out());
        assertEquals(3, Files.readAllLines(whole.resolve("metrics.jsonl")).size());
        JsonNode config = new ObjectMapper().readTree(whole.resolve("config.json").toFile());
        assertEquals("cyclegan", config.at("/family").asText());
        assertEquals("bar-top", config.at("/cyclegan/domainA/0").asText());
        assertTrue(Files.exists(whole.resolve("samples/round-0003.png")), "sample grid per round");
        assertTrue(Files.readString(whole.resolve("report.html")).contains("cycle_a"), "report charts the losses");

        Path split = tmp.resolve("split");
        assertEquals(0, run(tiny(split.toString(), 2)).code());
        AtelierCliTest.Result resumed = run(tiny(split.toString(), 3, "--resume"));
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());

        Configuration conf = new Configuration();
        var checkpoint = RunDirectory.existing(whole.toString(), conf).checkpoints().load(3);
        TrainingState a = checkpoint.state();
        assertNull(checkpoint.meta().inputs(), "a run of one dataset records it as runs always did");
        String metaJson = Files.readString(Path.of(checkpoint.dir().toUri().getPath()).resolve("meta.json"));
        assertTrue(metaJson.contains("\"dataset\"") && !metaJson.contains("\"inputs\""), metaJson);
        TrainingState b = RunDirectory.existing(split.toString(), conf).checkpoints().load(3).state();
        assertTrue(a.bitIdentical(b), "2 rounds + resume to 3 differs from 3 rounds at once");
        float[] counts = a.get(CycleGanTrainer.POOL_COUNTS);
        assertEquals(4, counts.length, "two pools for each of two workers");
        for (float c : counts) {
            assertEquals(3f, c, "3 rounds x 2 steps x 2 fakes fill every pool of 3");
        }

        AtelierCliTest.Result generate = atelier("generate", "--model", whole.toString(), "--count", "4", "--out",
                tmp.resolve("gen").toString(), "--master", "local[2]");
        assertEquals(2, generate.code());
        assertTrue(generate.err().contains("CycleGAN run"), generate.err());
    }

    @Test
    void trainsOnTwoDatasetsAndResumesBitIdentically() throws IOException {
        List<String> two = List.of("--data-a", tops, "--data-b", bottoms);
        Path whole = tmp.resolve("two-whole");
        AtelierCliTest.Result r = run(tiny(two, whole.toString(), 2));
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("round 2/2"), r.out());
        JsonNode config = new ObjectMapper().readTree(whole.resolve("config.json").toFile());
        assertEquals(tops, config.at("/settings/dataA").asText());
        assertEquals(bottoms, config.at("/settings/dataB").asText());
        assertTrue(config.at("/settings/data").isNull(), config.toString());
        assertEquals("tops", config.at("/cyclegan/domainA/0").asText(), "a domain is named by its dataset's directory");
        assertEquals("bottoms", config.at("/cyclegan/domainB/0").asText());
        assertEquals(List.of(0, 1),
                List.of(config.at("/cyclegan/classesA/0").asInt(), config.at("/cyclegan/classesB/0").asInt()));
        assertEquals("[\"tops\",\"bottoms\"]", config.at("/labelNames").toString());
        assertTrue(Files.exists(whole.resolve("samples/round-0002.png")), "sample grid per round");

        Path split = tmp.resolve("two-split");
        assertEquals(0, run(tiny(two, split.toString(), 1)).code());
        AtelierCliTest.Result resumed = run(tiny(two, split.toString(), 2, "--resume"));
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());

        Configuration conf = new Configuration();
        var a = RunDirectory.existing(whole.toString(), conf).checkpoints().load(2);
        var b = RunDirectory.existing(split.toString(), conf).checkpoints().load(2);
        assertTrue(a.state().bitIdentical(b.state()), "1 round + resume to 2 differs from 2 rounds at once");
        List<CheckpointMeta.Input> inputs = a.meta().inputs();
        assertEquals(List.of(tops, bottoms), inputs.stream().map(CheckpointMeta.Input::path).toList());
        assertEquals(2, inputs.stream().map(CheckpointMeta.Input::manifestSha256).distinct().count(), inputs.toString());

        // resuming with the domains swapped is another run
        AtelierCliTest.Result swapped = run(tiny(List.of("--data-a", bottoms, "--data-b", tops), split.toString(), 3,
                "--resume"));
        assertEquals(2, swapped.code(), swapped.out());
        assertTrue(swapped.err().contains("dataset manifest sha256s"), swapped.err());
    }

    @Test
    void twoDatasetsOfDifferentSizesOrMixedWithDomainsAreRefusedInOneLine() {
        AtelierCliTest.Result sizes = run(tiny(List.of("--data-a", tops, "--data-b", bottoms32), tmp.resolve("s").toString(), 1));
        assertEquals(2, sizes.code(), sizes.out());
        assertTrue(sizes.err().contains(bottoms32 + " holds 32x32x1 images, dataset " + tops + " 28x28x1")
                && sizes.err().contains("re-ingest " + bottoms32 + " with --size 28 --channels 1"), sizes.err());
        assertTrue(!Files.exists(tmp.resolve("s")), "nothing written before the check");

        AtelierCliTest.Result mixed = run(tiny(List.of("--data", dataset, "--data-a", tops, "--data-b", bottoms),
                tmp.resolve("x").toString(), 1));
        assertEquals(2, mixed.code());
        assertTrue(mixed.err().contains("--data with --data-a/--data-b"), mixed.err());

        AtelierCliTest.Result domains = run(tiny(List.of("--data-a", tops, "--data-b", bottoms, "--domain-a", "bar-top"),
                tmp.resolve("y").toString(), 1));
        assertEquals(2, domains.code());
        assertTrue(domains.err().contains("leave --domain-a and --domain-b off"), domains.err());

        AtelierCliTest.Result half = run(tiny(List.of("--data-a", tops), tmp.resolve("z").toString(), 1));
        assertEquals(2, half.code());
        assertTrue(half.err().contains("--data-b: give the dataset of domain B"), half.err());
    }

    @Test
    void badDomainsAndOptionsAreRefusedInOneLine() {
        AtelierCliTest.Result unknown = run(tiny(tmp.resolve("u").toString(), 1, "--domain-b", "bar-sideways"));
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--domain-b 'bar-sideways' is not a label")
                && unknown.err().contains("bar-bottom, bar-middle-vertical, bar-top"), unknown.err());

        AtelierCliTest.Result missing = atelier("train-gan", "--model", "cyclegan", "--data", dataset, "--out",
                tmp.resolve("m").toString(), "--domain-a", "bar-top", "--master", "local[2]");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--domain-b: name the labels"), missing.err());

        AtelierCliTest.Result eval = run(tiny(tmp.resolve("e").toString(), 1, "--eval-every", "1", "--eval-data", dataset));
        assertEquals(2, eval.code());
        assertTrue(eval.err().contains("--eval-data " + dataset + ": a CycleGAN run is scored on its own two domains"),
                eval.err());

        AtelierCliTest.Result model = atelier("train-gan", "--model", "diffusion", "--data", dataset, "--out",
                tmp.resolve("d").toString());
        assertEquals(2, model.code());
        assertTrue(model.err().contains("train-gan trains dcgan, cyclegan, stylegan") && model.err().contains("its own command"),
                model.err());

        AtelierCliTest.Result help = atelier("train-gan", "--model", "cyclegan", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--lambda-cycle") && help.out().contains("--domain-a"), help.out());
    }
}
