package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.Manifest;
import io.atelier.common.testing.SampleImages;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.atelier.common.data.ingest.IngestTesting.assertReconciles;
import static io.atelier.common.data.ingest.IngestTesting.data;
import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.options;
import static io.atelier.common.data.ingest.IngestTesting.origin;
import static io.atelier.common.data.ingest.IngestTesting.perLabel;
import static io.atelier.common.data.ingest.IngestTesting.perLabelInRows;
import static io.atelier.common.data.ingest.IngestTesting.quarantineReasons;
import static io.atelier.common.data.ingest.IngestTesting.rows;
import static io.atelier.common.data.ingest.IngestTesting.spark;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each kind of input the ingest reads: folder trees, archives, IDX files, Spark image frames. */
class IngestSourcesTest {
    @TempDir
    Path tmp;

    /** Labels deliberately created out of alphabetical order. */
    private static Map<String, Integer> zooCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("zebras", 2);
        counts.put("apples", 4);
        counts.put("mangos", 3);
        return counts;
    }

    private static final List<String> SORTED_NAMES = List.of("apples", "mangos", "zebras");

    /** What every labelled ingest of the zoo tree must satisfy, whatever container it came in. */
    private static void assertZooLabels(IngestSummary s, Path out, int expectedRows) {
        Manifest m = s.manifest();
        assertEquals(SORTED_NAMES, m.labelNames(), "label names: the sub-folders, sorted");
        Map<String, Long> expected = new TreeMap<>(Map.of("0", 4L, "1", 3L, "2", 2L));
        assertEquals(expected, perLabel(m), "manifest images per label (0=apples, 1=mangos, 2=zebras)");
        List<Row> rows = rows(out);
        assertEquals(expectedRows, rows.size(), "rows");
        assertEquals(expected, perLabelInRows(rows), "stored rows per label");
        for (Row r : rows) {
            int label = r.getAs(DatasetSchema.LABEL);
            String name = r.getAs(DatasetSchema.LABEL_NAME);
            assertEquals(SORTED_NAMES.get(label), name, "label_name of label " + label);
            assertTrue(origin(r).contains("/" + name + "/"), "origin " + origin(r) + " expected under folder " + name);
        }
    }

    @Test
    void folderTreeLabelsAreTheSortedSubfolderNamesNumberedFromZero() {
        Path in = SampleImages.folderTree(tmp.resolve("zoo"), zooCounts(), 40);
        Path out = tmp.resolve("ds");
        IngestSummary s = ingest(options(List.of(in.toString()), out, 32));
        assertEquals(9, s.in(), "images in");
        assertEquals(0, s.quarantined(), "quarantined");
        assertReconciles(s, out);
        assertZooLabels(s, out, 9);
        assertEquals(3, s.manifest().channels(), "channels default for image files");
        assertEquals(32, s.manifest().height(), "height");
        assertEquals(32, s.manifest().width(), "width");
    }

    @Test
    void filesDirectlyUnderTheRootAreUnlabelled() {
        Path in = SampleImages.folderTree(tmp.resolve("zoo"), zooCounts(), 40);
        SampleImages.write(in.resolve("loose.png"), SampleImages.shape(3, 40, 40, 40), "png");
        Path out = tmp.resolve("ds");
        IngestSummary s = ingest(options(List.of(in.toString()), out, 32));
        assertReconciles(s, out);
        assertEquals(SORTED_NAMES, s.manifest().labelNames(), "a loose file adds no label");
        assertEquals(1L, perLabel(s.manifest()).get("unlabelled"), "manifest count of unlabelled rows");
        Row loose = rows(out).stream().filter(r -> origin(r).endsWith("/loose.png")).findFirst().orElseThrow();
        assertNull(loose.getAs(DatasetSchema.LABEL), "label of a file under the root");
        assertNull(loose.getAs(DatasetSchema.LABEL_NAME), "label_name of a file under the root");
    }

    @Test
    void zipLabelsComeFromTheFirstFolderInsideTheArchive() {
        Path tree = SampleImages.folderTree(tmp.resolve("zoo"), zooCounts(), 40);
        Path zip = SampleImages.zip(tree, tmp.resolve("zoo.zip"));
        Path out = tmp.resolve("ds");
        IngestSummary s = ingest(options(List.of(zip.toString()), out, 32));
        assertEquals(9, s.in(), "entries in");
        assertReconciles(s, out);
        assertZooLabels(s, out, 9);
        assertTrue(rows(out).stream().allMatch(r -> origin(r).contains("zoo.zip!/")),
                "origins expected as <archive>!/<entry>");
    }

    @Test
    void tarGzLabelsComeFromTheFirstFolderInsideTheArchive() {
        Path tree = SampleImages.folderTree(tmp.resolve("zoo"), zooCounts(), 40);
        Path tar = SampleImages.tarGz(tree, tmp.resolve("zoo.tar.gz"));
        Path out = tmp.resolve("ds");
        IngestSummary s = ingest(options(List.of(tar.toString()), out, 32));
        assertEquals(9, s.in(), "entries in (directory entries are not items)");
        assertReconciles(s, out);
        assertZooLabels(s, out, 9);
    }

    @Test
    void idxPairGivesGrayImagesWithTheirLabelsAndPixels() {
        SampleImages.IdxData idx = SampleImages.idx(tmp.resolve("idx"), "train", 50, 28, 28, 5, true, 3);
        Path out = tmp.resolve("ds");
        IngestSummary s = ingest(options(List.of(idx.images().toString()), out, 28));
        assertEquals(50, s.in(), "records in");
        assertReconciles(s, out);
        assertEquals(1, s.manifest().channels(), "IDX-only input defaults to 1 channel");
        assertEquals("GRAY", s.manifest().channelOrder());
        assertEquals(List.of("0", "1", "2", "3", "4"), s.manifest().labelNames(), "names without class-names.txt");
        List<Row> rows = rows(out);
        assertEquals(50, rows.size(), "rows");
        for (Row r : rows) {
            String origin = origin(r);
            int i = Integer.parseInt(origin.substring(origin.lastIndexOf('#') + 1));
            assertEquals(idx.labelValues()[i], (int) r.getAs(DatasetSchema.LABEL), "label of record " + i);
            assertArrayEquals(idx.pixels()[i], data(r), "pixels of record " + i + " (28x28 kept as stored)");
        }
    }

    @Test
    void idxDirectoryUsesClassNamesAndSkipsItsCompanionFiles() throws Exception {
        Path dir = tmp.resolve("idx");
        SampleImages.idx(dir, "t10k", 30, 28, 28, 3, false, 5);
        Files.writeString(dir.resolve("class-names.txt"), "circle\nsquare\ntriangle\n");
        Files.writeString(dir.resolve("LICENSE"), "Example licence text.\n");
        Files.writeString(dir.resolve("README.md"), "# Example data\n");
        Path out = tmp.resolve("ds");
        IngestSummary s = ingest(options(List.of(dir.toString()), out, 28));
        assertReconciles(s, out);
        assertEquals(30, s.in(), "only the IDX records are items; LICENSE and README.md are not images to quarantine");
        assertEquals(1, s.manifest().channels(), "a directory of IDX files is still IDX-only");
        assertEquals(List.of("circle", "square", "triangle"), s.manifest().labelNames(), "names from class-names.txt");
        for (Row r : rows(out)) {
            int label = r.getAs(DatasetSchema.LABEL);
            assertEquals(s.manifest().labelNames().get(label), r.getAs(DatasetSchema.LABEL_NAME), "label_name of " + label);
        }
    }

    @Test
    void sparkImageFrameIsIngestedAndItsUndecodableFilesQuarantined() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("dogs", 3);
        counts.put("cats", 2);
        Path dir = SampleImages.folderTree(tmp.resolve("pets"), counts, 36);
        SampleImages.write(dir.resolve("dogs").resolve("broken.png"), SampleImages.randomBytes(500, 11));
        // Spark's image source only descends into sub-folders with recursiveFileLookup.
        Dataset<Row> frame = spark().read().format("image").option("dropInvalid", false)
                .option("recursiveFileLookup", true).load(dir.toString());
        Path out = tmp.resolve("ds");
        IngestSummary s = new Ingest(spark(), IngestOptions.of(List.of(), out.toString(), 32).withShards(2))
                .run(List.of(frame), IngestProgress.NONE);
        assertEquals(6, s.in(), "rows in the frame");
        assertEquals(5, s.accepted(), "accepted");
        assertEquals(1, s.quarantined(), "quarantined");
        assertReconciles(s, out);
        assertEquals(List.of("cats", "dogs"), s.manifest().labelNames(), "labels from the parent folders, sorted");
        Map<String, String> reasons = quarantineReasons(out);
        assertEquals(1, reasons.size(), "quarantine rows");
        Map.Entry<String, String> q = reasons.entrySet().iterator().next();
        assertTrue(q.getKey().endsWith("dogs/broken.png"), "quarantined origin: " + q.getKey());
        assertTrue(q.getValue().contains("could not decode"), "reason expected to say the source could not decode it: "
                + q.getValue());
        for (Row r : rows(out)) {
            assertEquals(s.manifest().labelNames().get(r.getAs(DatasetSchema.LABEL)), r.getAs(DatasetSchema.LABEL_NAME),
                    "label_name of " + origin(r));
        }
    }

    @Test
    void aFrameWithNoRowsIsRefusedAndNothingIsWritten() {
        Path empty = tmp.resolve("empty");
        SampleImages.write(empty.resolve("a.png"), SampleImages.shape(0, 0, 16, 16), "png");
        Dataset<Row> frame = spark().read().format("image").load(empty.toString()).where("image.width > 10000");
        Path out = tmp.resolve("ds");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Ingest(spark(), IngestOptions.of(List.of(), out.toString(), 32)).run(List.of(frame),
                        IngestProgress.NONE));
        assertTrue(e.getMessage().contains("found nothing to ingest"), "message: " + e.getMessage());
        assertTrue(!Files.exists(out), "expected no output directory after a refused ingest");
    }

    @Test
    void theSameImageFromAFileAndFromASparkImageFrameGetsTheSameId() {
        // Images already at the target size, so both paths store the decoded pixels unchanged.
        Path dir = tmp.resolve("same");
        SampleImages.write(dir.resolve("rgb.png"), SampleImages.shape(1, 1, 24, 24), "png");
        BufferedImage gray = new BufferedImage(24, 24, BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(SampleImages.shape(2, 2, 24, 24), 0, 0, null);
        SampleImages.write(dir.resolve("gray.png"), gray, "png");
        BufferedImage argb = new BufferedImage(24, 24, BufferedImage.TYPE_INT_ARGB);
        java.awt.Graphics2D g = argb.createGraphics();
        g.setColor(new java.awt.Color(40, 80, 220, 255));
        g.fillRect(4, 4, 10, 10);             // opaque blue square
        g.setColor(new java.awt.Color(220, 40, 40, 128));
        g.fillRect(12, 12, 10, 10);           // half-transparent red; the rest is transparent black
        g.dispose();
        SampleImages.write(dir.resolve("alpha.png"), argb, "png");

        Dataset<Row> frame = spark().read().format("image").load(dir.toString());
        Path out = tmp.resolve("ds");
        IngestOptions options = new IngestOptions(List.of(dir.toString()), out.toString(), 24, 3,
                io.atelier.common.image.ImageFit.CROP, 2, 0.0, 1L, LabelSource.NONE, IngestOptions.DEFAULT_MAX_PIXELS,
                IngestOptions.DEFAULT_MAX_FILE_BYTES, null);
        IngestSummary s = new Ingest(spark(), options).run(List.of(frame), IngestProgress.NONE);
        assertEquals(6, s.in(), "three files plus the frame's three rows");
        assertEquals(0, s.quarantined(), "quarantined");
        assertEquals(3, s.duplicates(), "each frame row expected to duplicate its file (same pixels, same id); "
                + "stored origins: " + rows(out).stream().map(IngestTesting::origin).toList());
        assertEquals(3, s.accepted(), "accepted");
    }
}
