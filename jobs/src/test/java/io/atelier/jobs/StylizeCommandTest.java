package io.atelier.jobs;

import io.atelier.common.style.FastStyleModel;
import io.atelier.common.style.TransformerNet;
import io.atelier.common.testing.SampleImages;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class StylizeCommandTest {
    static final Path ROOT = EmbedCommandTest.ROOT;
    static final String STYLE = ROOT.resolve("data/images/style/starry_night.jpg").toString();

    @TempDir
    Path tmp;

    private Path catalog(int good) {
        Path dir = tmp.resolve("catalog");
        for (int i = 0; i < good; i++) {
            SampleImages.write(dir.resolve(i % 2 == 0 ? "cats" : "dogs").resolve("p" + i + ".png"),
                    SampleImages.shape(i % 4, i, 40, 30), "png");
        }
        return dir;
    }

    private static long rows(Path out) {
        return SparkSession.active().read().parquet(out.toString()).count();
    }

    private static long distinctPairs(Path out) {
        return SparkSession.active().read().parquet(out.toString()).select("id", "style").distinct().count();
    }

    @Test
    void brokenFilesAreQuarantinedAndASecondRunAddsNothing() throws IOException {
        Path dir = catalog(4);
        byte[] png = SampleImages.encode(SampleImages.shape(1, 9, 40, 30), "png");
        SampleImages.write(dir.resolve("cats/empty.png"), new byte[0]);
        SampleImages.write(dir.resolve("cats/truncated.png"), SampleImages.truncate(png, png.length / 2));
        SampleImages.write(dir.resolve("notes.txt"), "not a picture".getBytes());
        SampleImages.write(dir.resolve("dogs/bomb.png"), SampleImages.pngBomb(5000, 5000));
        Path out = tmp.resolve("stylized");
        Path pngs = tmp.resolve("pngs");
        String[] args = {"stylize", "--input", dir.toString(), "--style", STYLE, "--out", out.toString(),
                "--method", "gatys", "--extractor", "random", "--size", "24", "--iterations", "2",
                "--max-pixels", "1000000", "--png-dir", pngs.toString(), "--master", "local[2]"};

        AtelierCliTest.Result first = AtelierCliTest.atelier(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("stylize: in 8 = stylized 4 + skipped 0 + quarantined 4"), first.out());
        // local[2]: tasks run in the driver's executor, one CPU thread each (spark.task.cpus)
        assertTrue(first.out().contains("; devices: executor driver: cpu, 1 thread\n"), first.out());
        assertEquals(4, rows(out));
        Dataset<Row> quarantine = SparkSession.active().read().parquet(out.resolve("_quarantine").toString());
        List<String> reasons = quarantine.orderBy("origin").select("reason").as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList();
        assertEquals(4, reasons.size(), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.contains("over --max-pixels")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.contains("empty file")), reasons.toString());
        Row one = SparkSession.active().read().parquet(out.toString()).where("path = 'cats/p0.png'").first();
        assertEquals("starry_night", one.getAs("style"));
        assertEquals("gatys", one.getAs("method"));
        Row image = one.getAs("image");
        assertEquals(24, Math.max(image.<Integer>getAs("height"), image.<Integer>getAs("width")), "longer side is --size");
        assertTrue(Files.isRegularFile(pngs.resolve("starry_night/cats/p0.png")), "PNG mirrors the input's path");

        AtelierCliTest.Result second = AtelierCliTest.atelier(args);
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("stylize: in 8 = stylized 0 + skipped 4 + quarantined 4"), second.out());
        assertFalse(second.out().contains("devices:"), "nothing to do, no task computed: " + second.out());
        assertEquals(4, rows(out), "a second run adds no rows");

        SampleImages.write(dir.resolve("dogs/new.png"), SampleImages.shape(2, 17, 40, 30), "png");
        AtelierCliTest.Result third = AtelierCliTest.atelier(args);
        assertEquals(0, third.code(), third.err());
        assertTrue(third.out().contains("stylize: in 9 = stylized 1 + skipped 4 + quarantined 4"), third.out());
        assertEquals(5, rows(out), "only the new image was stylized");
        assertEquals(5, distinctPairs(out));
    }

    private Path tinyModel() {
        Path model = tmp.resolve("model");
        TransformerNet.Config config = new TransformerNet.Config(2, 1);
        new FastStyleModel("tiny", "none", config, TransformerNet.initial(config, 1), Map.of())
                .save(model.toString(), new Configuration());
        return model;
    }

    /**
     * An archive is one listing unit, larger than a task: its images are regrouped by a shuffle
     * into tasks of --images-per-task, and the counts and the rerun behave as for a folder.
     */
    /** An archive entry named to climb out of --png-dir must not write outside it (it overwrote a file before). */
    @Test
    void archiveEntryNamesCannotWriteOutsideThePngDirectory() throws IOException {
        Path victim = Files.writeString(tmp.resolve("victim.png"), "not to be overwritten");
        Path zip = tmp.resolve("hostile.zip");
        Path images = catalog(2);
        // Two different images (identical ones would share an id and the second be skipped). The PNG
        // path is PNGDIR/STYLE/hostile.zip/ENTRY, so three levels up is this directory.
        Map<String, Path> entries = Map.of("../../../victim.png", images.resolve("cats/p0.png"),
                "ok/fine.png", images.resolve("dogs/p1.png"));
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            for (Map.Entry<String, Path> e : entries.entrySet()) {
                z.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
                z.write(Files.readAllBytes(e.getValue()));
                z.closeEntry();
            }
        }
        Path out = tmp.resolve("stylized");
        Path pngs = tmp.resolve("pngs");
        AtelierCliTest.Result run = AtelierCliTest.atelier("stylize", "--input", zip.toString(), "--model",
                tinyModel().toString(), "--method", "fast", "--out", out.toString(), "--size", "32", "--png-dir",
                pngs.toString(), "--master", "local[2]");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("stylize: in 2 = stylized 2 + skipped 0 + quarantined 0"), run.out());
        assertEquals("not to be overwritten", new String(Files.readAllBytes(victim), java.nio.charset.StandardCharsets.ISO_8859_1),
                "the file outside --png-dir is untouched");
        try (var files = Files.walk(tmp)) {
            List<Path> written = files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".png") && !f.startsWith(pngs) && !f.equals(victim)
                            && !f.startsWith(tmp.resolve("catalog")))
                    .toList();
            assertEquals(List.of(), written, "PNGs outside --png-dir");
        }
        try (var files = Files.walk(pngs)) {
            assertEquals(2, files.filter(f -> f.toString().endsWith(".png")).count(),
                    "both entries' PNGs are inside --png-dir: " + run.out());
        }
    }

    @Test
    void anArchiveLargerThanATaskIsRegroupedAndASecondRunAddsNothing() {
        Path zip = SampleImages.zip(catalog(10), tmp.resolve("catalog.zip"));
        Path out = tmp.resolve("stylized");
        String[] args = {"stylize", "--input", zip.toString(), "--model", tinyModel().toString(), "--method", "fast",
                "--out", out.toString(), "--size", "32", "--images-per-task", "3", "--master", "local[2]"};

        AtelierCliTest.Result first = AtelierCliTest.atelier(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("stylize: in 10 = stylized 10 + skipped 0 + quarantined 0"), first.out());
        assertEquals(10, rows(out));
        assertEquals(10, distinctPairs(out));
        // The shuffle hashes origins into 4 tasks, so how many of them get images varies with the
        // (temporary) paths; one file would mean the archive's single unit was never regrouped.
        assertTrue(SparkSession.active().read().parquet(out.toString()).inputFiles().length >= 2,
                "10 images regrouped into tasks of about 3 commit more than one file");

        AtelierCliTest.Result second = AtelierCliTest.atelier(args);
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("stylize: in 10 = stylized 0 + skipped 10 + quarantined 0"), second.out());
        assertEquals(10, rows(out), "a second run adds no rows");
    }

    @Test
    void aKilledRunResumesToExactlyOneRowPerImageAndStyle() {
        Path dir = catalog(12);
        Path model = tinyModel();
        Path out = tmp.resolve("stylized");
        String[] common = {"stylize", "--input", dir.toString(), "--model", model.toString(), "--method", "fast",
                "--out", out.toString(), "--size", "32", "--images-per-task", "2", "--master", "local[2]"};

        // One core: tasks run one after another, so the first task with output commits before any fails.
        SparkSession.getDefaultSession().foreach(running -> {
            running.stop();
            return null;
        });
        SparkSession spark = SparkSessions.create("stylize", "local[1]");
        spark.conf().set(FailingCommitter.CONF, FailingCommitter.class.getName());
        FailingCommitter.failAfter(1);
        AtelierCliTest.Result killed;
        try {
            killed = AtelierCliTest.atelier(common);
        } finally {
            spark.conf().unset(FailingCommitter.CONF);
            FailingCommitter.failAfter(Integer.MAX_VALUE);
        }
        assertEquals(1, killed.code(), "the injected failure ends the run: " + killed.out() + killed.err());
        assertTrue(killed.err().contains("injected failure in partition"), killed.err());
        long committed = rows(out);
        assertTrue(committed > 0 && committed < 12, "some tasks committed before the failure, not all: " + committed);
        assertEquals(committed, distinctPairs(out));

        AtelierCliTest.Result resumed = AtelierCliTest.atelier(common);
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("stylize: in 12 = stylized " + (12 - committed) + " + skipped " + committed
                + " + quarantined 0"), resumed.out());
        assertEquals(12, rows(out), "exactly one row per image and style");
        assertEquals(12, distinctPairs(out));
    }
}
