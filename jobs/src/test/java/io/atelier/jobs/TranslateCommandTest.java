package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.testing.SampleImages;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** translate from the command line: a tiny CycleGAN run over a folder of pictures, on real Spark and real files. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class TranslateCommandTest {
    /** The ingested dataset's side and channels: the model's, whatever the pictures' own. */
    static final int SIZE = 28;

    @TempDir
    static Path tmp;
    static String dataset;
    static String model;
    static Path catalog;

    @BeforeAll
    static void trainTinyCycleGan() throws IOException {
        Path photos = tmp.resolve("bars");
        SplittableRandom rng = new SplittableRandom(3);
        for (int c = 0; c < GanCommandsTest.CLASSES.length; c++) {
            Files.createDirectories(photos.resolve(GanCommandsTest.CLASSES[c]));
            for (int i = 0; i < 16; i++) {
                ImageIO.write(GanCommandsTest.bar(c, rng), "png",
                        photos.resolve(GanCommandsTest.CLASSES[c]).resolve(i + ".png").toFile());
            }
        }
        dataset = tmp.resolve("bars-ds").toString();
        AtelierCliTest.Result ingest = atelier("ingest", "--input", photos.toString(), "--output", dataset, "--size",
                String.valueOf(SIZE), "--channels", "1", "--shards", "2", "--master", "local[2]");
        assertEquals(0, ingest.code(), ingest.err());
        model = tmp.resolve("cyclegan").toString();
        AtelierCliTest.Result train = atelier("train-gan", "--model", "cyclegan", "--data", dataset, "--out", model,
                "--domain-a", "bar-top", "--domain-b", "bar-bottom", "--generator-width", "4", "--discriminator-width",
                "4", "--residual-blocks", "1", "--batch", "2", "--local-steps", "2", "--pool-size", "2", "--rounds", "1",
                "--sample-every", "1", "--sample-count", "2", "--master", "local[2]");
        assertEquals(0, train.code(), train.err() + train.out());

        // RGB pictures of another size (40x30): the job resizes them to the model's 28x28 grey.
        catalog = tmp.resolve("catalog");
        for (int i = 0; i < 5; i++) {
            SampleImages.write(catalog.resolve(i % 2 == 0 ? "a" : "b").resolve("p" + i + ".png"),
                    SampleImages.shape(i % 4, i, 40, 30), "png");
        }
        byte[] png = SampleImages.encode(SampleImages.shape(1, 9, 40, 30), "png");
        SampleImages.write(catalog.resolve("a/truncated.png"), SampleImages.truncate(png, png.length / 2));
    }

    private static AtelierCliTest.Result translate(String direction, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("translate", "--model", model, "--direction", direction, "--input",
                catalog.toString(), "--out", out.toString(), "--master", "local[2]"));
        args.addAll(List.of(more));
        return atelier(args.toArray(String[]::new));
    }

    /** The output's images by id: the stored bytes, checked to be the model's size and channels. */
    private static Map<String, byte[]> images(Path out) {
        Map<String, byte[]> byId = new HashMap<>();
        for (Row r : SparkSession.active().read().parquet(out.toString()).collectAsList()) {
            Row image = r.getAs("image");
            assertEquals(SIZE, image.<Integer>getAs("height"), "height is the model's");
            assertEquals(SIZE, image.<Integer>getAs("width"), "width is the model's");
            assertEquals(1, image.<Integer>getAs("nChannels"), "a grey model's translations are grey");
            assertFalse(byId.containsKey(r.<String>getAs("id")), "one row per image id");
            byId.put(r.getAs("id"), image.getAs("data"));
        }
        return byId;
    }

    @Test
    void translatesAFolderQuarantinesTheBrokenFileAndARerunAddsNothing() throws IOException {
        Path out = tmp.resolve("a2b");
        Path pngs = tmp.resolve("a2b-png");
        AtelierCliTest.Result first = translate("a2b", out, "--png-dir", pngs.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("translate: in 6 = translated 5 + skipped 0 + quarantined 1 in "), first.out());
        assertTrue(first.out().contains(" s -> " + out), first.out());
        assertEquals(5, images(out).size());

        Row one = SparkSession.active().read().parquet(out.toString()).where("path = 'a/p0.png'").first();
        assertEquals("a2b", one.getAs("style"), "the style column holds the direction");
        assertEquals("cyclegan", one.getAs("method"));
        JsonNode params = new ObjectMapper().readTree(out.resolve("_params").resolve(one.<String>getAs("params") + ".json")
                .toFile());
        assertEquals("a2b", params.at("/direction").asText());
        assertEquals(64, params.at("/checkpointSha256").asText().length(), params.toString());
        assertEquals(model, params.at("/about/run").asText(), params.toString());
        assertEquals("bar-top", params.at("/about/from/0").asText(), params.toString());
        assertEquals("bar-bottom", params.at("/about/to/0").asText(), params.toString());
        JsonNode description = new ObjectMapper().readTree(out.resolve("_translate.json").toFile());
        assertEquals(5, description.at("/lastRun/stylized").asLong(), description.toString());
        assertEquals(1, description.at("/styles/a2b/about/checkpointRound").asInt(), description.toString());
        assertEquals(1, SparkSession.active().read().parquet(out.resolve("_quarantine").toString()).count());

        BufferedImage written = ImageIO.read(pngs.resolve("a2b/a/p0.png").toFile());
        assertNotNull(written, "the PNG mirrors the input's relative path under DIR/DIRECTION");
        assertEquals(SIZE, written.getWidth());
        try (var files = Files.walk(pngs)) {
            assertEquals(5, files.filter(f -> f.toString().endsWith(".png")).count(), "one PNG per translation");
        }

        AtelierCliTest.Result second = translate("a2b", out, "--png-dir", pngs.toString());
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("translate: in 6 = translated 0 + skipped 5 + quarantined 1"), second.out());
        assertEquals(5, SparkSession.active().read().parquet(out.toString()).count(), "a second run adds no rows");
    }

    @Test
    void theDirectionsDifferAndTaskOrBatchSizeChangesNoPixel() {
        Path whole = tmp.resolve("tasks-default");
        Path single = tmp.resolve("tasks-of-one");
        Path unbatched = tmp.resolve("batch-of-one");
        Path back = tmp.resolve("b2a");
        AtelierCliTest.Result batched = translate("a2b", whole, "--batch", "8");
        assertEquals(0, batched.code(), batched.err());
        AtelierCliTest.Result one = translate("a2b", single, "--images-per-task", "1");
        assertEquals(0, one.code(), one.err());
        AtelierCliTest.Result oneByOne = translate("a2b", unbatched, "--batch", "1");
        assertEquals(0, oneByOne.code(), oneByOne.err());
        AtelierCliTest.Result b2a = translate("b2a", back);
        assertEquals(0, b2a.code(), b2a.err());

        Map<String, byte[]> a = images(whole);
        Map<String, byte[]> a1 = images(single);
        Map<String, byte[]> unbatchedImages = images(unbatched);
        Map<String, byte[]> b = images(back);
        assertEquals(5, a.size());
        assertEquals(a.keySet(), a1.keySet());
        assertEquals(a.keySet(), b.keySet());
        for (String id : a.keySet()) {
            assertArrayEquals(a.get(id), a1.get(id), "image " + id + " with one image per task");
            assertArrayEquals(a.get(id), unbatchedImages.get(id), "image " + id + ": batch 8 and batch 1 give the same bytes");
            assertFalse(Arrays.equals(a.get(id), b.get(id)), "image " + id + ": G and F gave the same picture");
        }
        assertEquals("b2a", SparkSession.active().read().parquet(back.toString()).first().getAs("style"));
    }

    /** An archive entry named to climb out of --png-dir lands inside it. */
    @Test
    void archiveEntriesCannotWriteOutsideThePngDirectory() throws IOException {
        Path victim = Files.writeString(tmp.resolve("victim.png"), "not to be overwritten");
        Path zip = tmp.resolve("hostile.zip");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            // PNGDIR/a2b/hostile.zip/ENTRY: three levels up is tmp.
            for (String[] e : new String[][]{{"../../../victim.png", "a/p0.png"}, {"ok/fine.png", "b/p1.png"}}) {
                z.putNextEntry(new java.util.zip.ZipEntry(e[0]));
                z.write(Files.readAllBytes(catalog.resolve(e[1])));
                z.closeEntry();
            }
        }
        Path pngs = tmp.resolve("zip-png");
        AtelierCliTest.Result run = atelier("translate", "--model", model, "--input", zip.toString(), "--out",
                tmp.resolve("zip-out").toString(), "--png-dir", pngs.toString(), "--master", "local[2]");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("translate: in 2 = translated 2 + skipped 0 + quarantined 0"), run.out());
        assertEquals("not to be overwritten", Files.readString(victim), "the file outside --png-dir is untouched");
        try (var files = Files.walk(pngs)) {
            assertEquals(2, files.filter(f -> f.toString().endsWith(".png")).count(), "both PNGs inside --png-dir");
        }
    }

    @Test
    void aRunOfAnotherFamilyOrNoRunOrAStylizeOutputIsRefusedInOneLine() throws IOException {
        Path dcgan = tmp.resolve("dcgan");
        AtelierCliTest.Result train = atelier("train-gan", "--data", dataset, "--out", dcgan.toString(), "--rounds", "1",
                "--local-steps", "1", "--batch", "4", "--generator-width", "8", "--discriminator-width", "8",
                "--latent-dim", "8", "--master", "local[2]");
        assertEquals(0, train.code(), train.err());
        for (Path run : List.of(dcgan, tmp.resolve("no-such-run"))) {
            Path out = tmp.resolve("refused");
            AtelierCliTest.Result r = atelier("translate", "--model", run.toString(), "--input", catalog.toString(),
                    "--out", out.toString(), "--master", "local[2]");
            assertEquals(2, r.code(), r.err());
            List<String> lines = r.err().lines().filter(l -> l.startsWith("atelier ")).toList();
            assertEquals(1, lines.size(), r.err());
            assertTrue(lines.get(0).startsWith("atelier translate: --model " + run), lines.get(0));
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
            assertFalse(Files.exists(out), "nothing written for " + run);
        }
        assertTrue(atelier("translate", "--model", dcgan.toString(), "--input", catalog.toString(), "--out",
                tmp.resolve("refused").toString()).err().contains("is a dcgan run; translate needs a run of train-gan"));

        Path stylized = Files.createDirectories(tmp.resolve("stylized"));
        Files.writeString(stylized.resolve("_stylize.json"), "{}");
        AtelierCliTest.Result mixed = atelier("translate", "--model", model, "--input", catalog.toString(), "--out",
                stylized.toString(), "--master", "local[2]");
        assertEquals(2, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("holds _stylize.json, so it is a stylize output, not a translate one"),
                mixed.err());
        try (var files = Files.list(stylized)) {
            assertEquals(1, files.count(), "nothing written beside the other job's output");
        }

        AtelierCliTest.Result help = atelier("translate", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--direction") && help.out().contains("--images-per-task")
                && help.out().contains("stretched"), help.out());
    }

    @Test
    void aKilledRunResumesToExactlyOneRowPerImage() {
        Path out = tmp.resolve("resumed");
        String[] args = {"translate", "--model", model, "--direction", "b2a", "--input", catalog.toString(), "--out",
                out.toString(), "--images-per-task", "1", "--master", "local[1]"};
        // One core: tasks run one after another, so the first task with output commits before any fails.
        SparkSession.getDefaultSession().foreach(running -> {
            running.stop();
            return null;
        });
        SparkSession spark = SparkSessions.create("translate", "local[1]");
        try {
            spark.conf().set(FailingCommitter.CONF, FailingCommitter.class.getName());
            FailingCommitter.failAfter(2);
            AtelierCliTest.Result killed;
            try {
                killed = atelier(args);
            } finally {
                spark.conf().unset(FailingCommitter.CONF);
                FailingCommitter.failAfter(Integer.MAX_VALUE);
            }
            assertEquals(1, killed.code(), "the injected failure ends the run: " + killed.out() + killed.err());
            long committed = SparkSession.active().read().parquet(out.toString()).count();
            assertTrue(committed > 0 && committed < 5, "some tasks committed before the failure, not all: " + committed);

            AtelierCliTest.Result resumed = atelier(args);
            assertEquals(0, resumed.code(), resumed.err());
            assertTrue(resumed.out().contains("translate: in 6 = translated " + (5 - committed) + " + skipped "
                    + committed + " + quarantined 1"), resumed.out());
            assertEquals(5, images(out).size(), "exactly one row per image");
        } finally {
            // The next test starts its own session, with the cores it asks for.
            spark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
    }
}
