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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** project from the command line: a tiny StyleGAN run inverted over a folder of pictures, on real Spark and files. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class ProjectCommandTest {
    /** The model's side: the tiny run is trained on 16 px bars. */
    static final int SIZE = 16;
    static final int LATENT = 8;
    /** Style layers of a 16 px StyleGAN: 2 at 4x4 (conv, toRGB), then 2 more per resolution. */
    static final int NUM_WS = 6;
    static final String STEPS = "40";

    @TempDir
    static Path tmp;
    static String dataset;
    static String model;
    static Path catalog;

    @BeforeAll
    static void trainTinyStyleGan() throws IOException {
        Path photos = tmp.resolve("bars");
        SplittableRandom rng = new SplittableRandom(5);
        for (int c = 0; c < GanCommandsTest.CLASSES.length; c++) {
            Files.createDirectories(photos.resolve(GanCommandsTest.CLASSES[c]));
            for (int i = 0; i < 16; i++) {
                ImageIO.write(GanCommandsTest.bar(c, rng), "png",
                        photos.resolve(GanCommandsTest.CLASSES[c]).resolve(i + ".png").toFile());
            }
        }
        dataset = tmp.resolve("bars16").toString();
        AtelierCliTest.Result ingest = atelier("ingest", "--input", photos.toString(), "--output", dataset, "--size",
                String.valueOf(SIZE), "--channels", "1", "--shards", "2", "--master", "local[2]");
        assertEquals(0, ingest.code(), ingest.err());
        model = tmp.resolve("stylegan").toString();
        AtelierCliTest.Result train = atelier("train-gan", "--model", "stylegan", "--data", dataset, "--out", model,
                "--channels", "4", "--latent-dim", String.valueOf(LATENT), "--mapping-layers", "1", "--batch", "4",
                "--local-steps", "2", "--rounds", "3", "--sample-every", "3", "--sample-count", "4", "--master",
                "local[2]");
        assertEquals(0, train.code(), train.err() + train.out());

        // Three 28 px bars (resized to the model's 16) and two 16 px shapes, plus a broken file.
        catalog = tmp.resolve("catalog");
        Files.createDirectories(catalog.resolve("bars"));
        for (int i = 0; i < 3; i++) {
            ImageIO.write(GanCommandsTest.bar(i, rng), "png", catalog.resolve("bars").resolve("b" + i + ".png").toFile());
        }
        for (int i = 0; i < 2; i++) {
            SampleImages.write(catalog.resolve("shapes").resolve("s" + i + ".png"), SampleImages.shape(i, i, SIZE, SIZE),
                    "png");
        }
        byte[] png = SampleImages.encode(SampleImages.shape(1, 9, 40, 30), "png");
        SampleImages.write(catalog.resolve("shapes/truncated.png"), SampleImages.truncate(png, png.length / 2));
    }

    private static AtelierCliTest.Result project(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("project", "--model", model, "--input", catalog.toString(), "--out",
                out.toString(), "--steps", STEPS, "--extractor", "random", "--batch", "4", "--master", "local[2]"));
        args.addAll(List.of(more));
        return atelier(args.toArray(String[]::new));
    }

    /** The output's rows by id, checked to be one per id. */
    private static Map<String, Row> rows(Path out) {
        Map<String, Row> byId = new HashMap<>();
        for (Row r : SparkSession.active().read().parquet(out.toString()).collectAsList()) {
            assertFalse(byId.containsKey(r.<String>getAs("id")), "one row per image id");
            byId.put(r.getAs("id"), r);
        }
        return byId;
    }

    private static float[] latent(Row r) {
        List<Float> values = r.getList(r.fieldIndex("latent"));
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    @Test
    void projectsAFolderTheErrorFallsAndARerunAddsNothing() throws IOException {
        Path out = tmp.resolve("w");
        Path pngs = tmp.resolve("w-png");
        AtelierCliTest.Result first = project(out, "--png-dir", pngs.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("project: in 6 = projected 5 + skipped 0 + quarantined 1 in "), first.out());

        Map<String, Row> byId = rows(out);
        assertEquals(5, byId.size());
        for (Row r : byId.values()) {
            String path = r.getAs("path");
            Row image = r.getAs("image");
            assertEquals(SIZE, image.<Integer>getAs("height"), path);
            assertEquals(1, image.<Integer>getAs("nChannels"), "a grey model's reconstructions are grey");
            assertEquals("w", r.getAs("style"));
            assertEquals("w", r.getAs("space"));
            assertEquals("stylegan-projection", r.getAs("method"));
            assertEquals(LATENT, latent(r).length, "one w of latentDim values");
            assertEquals(Integer.parseInt(STEPS), r.<Integer>getAs("steps"));
            assertEquals(64, r.<String>getAs("modelSha256").length());
            double mse = r.getAs("mse");
            double start = r.getAs("mseAtStart");
            assertTrue(mse < start, path + ": the error after " + STEPS + " steps (" + mse + ") is below the error at"
                    + " the mean w (" + start + ")");
            assertTrue(r.<Double>getAs("l1") > 0 && r.<Double>getAs("featureDistance") >= 0, path);
            assertEquals(path.startsWith("bars/") ? "28x28" : null, r.getAs("resizedFrom"), path);
        }
        JsonNode description = new ObjectMapper().readTree(out.resolve("_project.json").toFile());
        assertEquals(5, description.at("/lastRun/stylized").asLong(), description.toString());
        assertEquals(model, description.at("/styles/w/about/run").asText(), description.toString());
        assertEquals("conv2", description.at("/styles/w/parameters/featureLayer").asText(), description.toString());
        assertEquals(1, SparkSession.active().read().parquet(out.resolve("_quarantine").toString()).count());
        BufferedImage written = ImageIO.read(pngs.resolve("w/bars/b0.png").toFile());
        assertNotNull(written, "the reconstruction mirrors the input's relative path under DIR/SPACE");
        assertEquals(SIZE, written.getWidth());

        AtelierCliTest.Result second = project(out, "--png-dir", pngs.toString());
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("project: in 6 = projected 0 + skipped 5 + quarantined 1"), second.out());
        assertEquals(5, SparkSession.active().read().parquet(out.toString()).count(), "a second run adds no rows");
    }

    @Test
    void theSameSeedGivesTheSameLatentsAndWPlusHasOnePerLayer() {
        Path a = tmp.resolve("seed-a");
        Path b = tmp.resolve("seed-b");
        Path other = tmp.resolve("seed-other");
        Path plus = tmp.resolve("wplus");
        assertEquals(0, project(a, "--feature-weight", "0").code());
        AtelierCliTest.Result again = project(b, "--feature-weight", "0");
        assertEquals(0, again.code(), again.err());
        assertEquals(0, project(other, "--feature-weight", "0", "--seed", "7").code());
        AtelierCliTest.Result wPlus = project(plus, "--feature-weight", "0", "--space", "w+");
        assertEquals(0, wPlus.code(), wPlus.err());

        Map<String, Row> ra = rows(a);
        Map<String, Row> rb = rows(b);
        Map<String, Row> ro = rows(other);
        Map<String, Row> rp = rows(plus);
        assertEquals(ra.keySet(), rb.keySet());
        for (String id : ra.keySet()) {
            assertArrayEquals(latent(ra.get(id)), latent(rb.get(id)), "image " + id + ": same seed, same latent");
            assertFalse(java.util.Arrays.equals(latent(ra.get(id)), latent(ro.get(id))), "image " + id
                    + ": another seed draws other noise");
            assertNull(ra.get(id).getAs("featureDistance"), "no feature loss, no distance");
            assertEquals(NUM_WS * LATENT, latent(rp.get(id)).length, "w+: one w per style layer");
            assertEquals("w+", rp.get(id).getAs("space"));
        }
        assertFalse(ra.values().iterator().next().getAs("params").equals(ro.values().iterator().next().getAs("params")),
                "the seed is part of the parameters hash");
    }

    @Test
    void aRunOfAnotherFamilyOrABadSpaceIsRefusedInOneLine() throws IOException {
        Path dcgan = tmp.resolve("dcgan");
        String bars28 = tmp.resolve("bars28").toString();
        AtelierCliTest.Result ingest = atelier("ingest", "--input", tmp.resolve("bars").toString(), "--output", bars28,
                "--size", "28", "--channels", "1", "--shards", "2", "--master", "local[2]");
        assertEquals(0, ingest.code(), ingest.err());
        AtelierCliTest.Result train = atelier("train-gan", "--data", bars28, "--out", dcgan.toString(), "--rounds", "1",
                "--local-steps", "1", "--batch", "4", "--generator-width", "8", "--discriminator-width", "8",
                "--latent-dim", "8", "--master", "local[2]");
        assertEquals(0, train.code(), train.err());
        Path out = tmp.resolve("refused");
        AtelierCliTest.Result r = atelier("project", "--model", dcgan.toString(), "--input", catalog.toString(),
                "--out", out.toString(), "--master", "local[2]");
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.err().lines().filter(l -> l.startsWith("atelier ")).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).contains("is a dcgan run; project needs a run of train-gan --model stylegan"),
                lines.get(0));
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(Files.exists(out), "nothing written");

        AtelierCliTest.Result space = project(out, "--space", "z");
        assertEquals(2, space.code(), space.err());
        assertTrue(space.err().contains("--space z: use w or w+"), space.err());
        AtelierCliTest.Result layer = project(out, "--feature-layer", "nope");
        assertEquals(2, layer.code(), layer.err());
        assertTrue(layer.err().contains("--feature-layer nope"), layer.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aKilledRunResumesToExactlyOneRowPerImage() {
        Path out = tmp.resolve("resumed");
        String[] args = {"project", "--model", model, "--input", catalog.toString(), "--out", out.toString(),
                "--steps", "5", "--extractor", "random", "--images-per-task", "1", "--master", "local[1]"};
        // One core: tasks run one after another, so the first task with output commits before any fails.
        SparkSession.getDefaultSession().foreach(running -> {
            running.stop();
            return null;
        });
        SparkSession spark = SparkSessions.create("project", "local[1]");
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
            assertTrue(resumed.out().contains("project: in 6 = projected " + (5 - committed) + " + skipped "
                    + committed + " + quarantined 1"), resumed.out());
            assertEquals(5, rows(out).size(), "exactly one row per image");
        } finally {
            spark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
    }
}
