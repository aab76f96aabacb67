package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.testing.SampleImages;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.atelier.common.data.ingest.IngestTesting.assertReconciles;
import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.options;
import static io.atelier.common.data.ingest.IngestTesting.origin;
import static io.atelier.common.data.ingest.IngestTesting.quarantineReasons;
import static io.atelier.common.data.ingest.IngestTesting.rows;
import static io.atelier.common.data.ingest.IngestTesting.spark;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged containers, limits, odd names and datasets as input: bad parts are quarantined, the rest stands. */
class IngestEdgeCasesTest {
    @TempDir
    Path tmp;

    private Path tree(String name, int perLabel, int size) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("a", perLabel);
        counts.put("b", perLabel);
        return SampleImages.folderTree(tmp.resolve(name), counts, size);
    }

    @Test
    void damagedArchivesKeepTheEntriesBeforeTheDamageAndQuarantineTheRest() throws Exception {
        Path source = tree("src", 10, 48);
        byte[] zip = Files.readAllBytes(SampleImages.zip(source, tmp.resolve("full.zip")));
        byte[] tgz = Files.readAllBytes(SampleImages.tarGz(source, tmp.resolve("full.tar.gz")));
        Path in = tmp.resolve("in");
        SampleImages.write(in.resolve("cut.zip"), SampleImages.truncate(zip, zip.length / 2));
        SampleImages.write(in.resolve("cut.tar.gz"), SampleImages.truncate(tgz, tgz.length / 2));
        SampleImages.write(in.resolve("fake.zip"), "not an archive".getBytes());
        SampleImages.write(in.resolve("fake.tgz"), "not an archive".getBytes());
        Path out = tmp.resolve("ds");
        IngestSummary s = ingest(options(List.of(in.toString()), out, 16));
        assertReconciles(s, out);

        Map<String, String> reasons = quarantineReasons(out);
        assertEquals(4, reasons.size(), "one quarantine row per damaged archive: " + reasons);
        for (Map.Entry<String, String> q : reasons.entrySet()) {
            String name = q.getKey().substring(q.getKey().indexOf("/in/") + 4);
            String reason = q.getValue();
            assertTrue(!reason.contains("null"), name + ": reason expected to say what went wrong, got: " + reason);
            if (name.startsWith("cut.")) {
                assertTrue(name.contains("!/<after entry "), "damage located after the good entries: " + name);
                assertTrue(reason.startsWith("damaged archive: "), name + " reason: " + reason);
            } else {
                assertTrue(reason.contains("not a valid archive") || reason.contains("not in the .gz format"),
                        name + " reason: " + reason);
            }
        }
        // Entries before the damage are images like any other.
        Set<String> archives = rows(out).stream().map(r -> origin(r).replaceAll("!/.*", ""))
                .map(o -> o.substring(o.lastIndexOf('/') + 1)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("cut.tar.gz", "cut.zip"), archives, "archives that contributed rows");
        assertTrue(s.accepted() + s.duplicates() >= 10, "entries kept from the first halves, got " + s.line());
    }

    @Test
    void idxFileShorterThanItsHeaderQuarantinesTheMissingRecordsAndProgressEndsAtTheTotal() {
        SampleImages.IdxData idx = SampleImages.idx(tmp.resolve("idx"), "cut", 20, 8, 8, 2, false, 1);
        byte[] images = SampleImages.truncate(readAll(idx.images()), 16 + 64 * 15 + 10); // 15 whole records
        SampleImages.write(idx.images(), images);
        Path out = tmp.resolve("ds");
        List<long[]> updates = new ArrayList<>();
        IngestSummary s = new Ingest(spark(), options(List.of(idx.images().toString()), out, 8))
                .run((seen, accepted, quarantined, expected) -> updates.add(new long[]{seen, accepted, quarantined, expected}));
        assertEquals(20, s.in(), "records the header declares");
        assertEquals(15, s.accepted(), "whole records");
        assertEquals(5, s.quarantined(), "missing records");
        assertReconciles(s, out);
        Map<String, String> reasons = quarantineReasons(out);
        for (int i = 15; i < 20; i++) {
            String reason = reasons.get(idx.images().toUri().toString().replace("file:///", "file:/") + "#" + i);
            assertTrue(reason != null && reason.contains("ends before record " + i),
                    "record " + i + " expected quarantined as missing; quarantine: " + reasons);
        }
        assertTrue(!updates.isEmpty(), "progress expected at least once");
        assertArrayEquals(new long[]{20, 15, 5, 20}, updates.get(updates.size() - 1),
                "last progress update (seen, accepted, quarantined, expected)");
        for (Row r : rows(out)) {
            String o = origin(r);
            int i = Integer.parseInt(o.substring(o.lastIndexOf('#') + 1));
            assertArrayEquals(idx.pixels()[i], IngestTesting.data(r), "pixels of whole record " + i);
        }
    }

    @Test
    void whenEveryInputIsRejectedTheDatasetIsStillReadableAsNoRows() {
        Path in = tree("big", 2, 64);
        // 15x15 = 225 pixels, under --max-pixels, but noise does not compress: over --max-file-bytes.
        java.awt.image.BufferedImage noise = new java.awt.image.BufferedImage(15, 15, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(3);
        for (int y = 0; y < 15; y++) {
            for (int x = 0; x < 15; x++) {
                noise.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        SampleImages.write(in.resolve("a").resolve("tiny.png"), noise, "png");
        Path out = tmp.resolve("ds");
        IngestOptions limited = new IngestOptions(List.of(in.toString()), out.toString(), 16, 3,
                io.atelier.common.image.ImageFit.CROP, 2, 0.0, 1L, LabelSource.FOLDER, 1000, 250, null);
        IngestSummary s = ingest(limited);
        assertEquals(0, s.accepted(), "accepted: " + s.line());
        assertEquals(5, s.quarantined(), "quarantined: " + s.line());
        Map<String, String> reasons = quarantineReasons(out);
        assertTrue(reasons.entrySet().stream().filter(e -> e.getKey().endsWith("tiny.png"))
                        .allMatch(e -> e.getValue().contains("over the limit of 250")),
                "a file over --max-file-bytes expected quarantined for its size: " + reasons);
        assertTrue(reasons.values().stream().filter(r -> !r.contains("over the limit of 250"))
                        .allMatch(r -> r.contains("over --max-pixels 1000")),
                "the others expected quarantined by the pixel limit: " + reasons);
        assertEquals(0, spark().read().parquet(out.toString()).count(), "plain Parquet read of a dataset with no rows");
        assertEquals(List.of(DatasetSchema.ROW.fieldNames()),
                List.of(ImageDataset.open(spark(), out.toString()).rows(spark()).columns()),
                "columns of the empty dataset");
        assertReconciles(s, out);
    }

    @Test
    void anAtelierDatasetAsInputKeepsItsLabelsNamesAndSplits() {
        Path in = tree("src", 6, 40);
        Path first = tmp.resolve("first");
        ingest(options(List.of(in.toString()), first, 32).withShards(3));
        Map<String, String> before = new java.util.TreeMap<>();
        for (Row r : rows(first)) {
            before.put(origin(r), r.getAs(DatasetSchema.LABEL) + "/" + r.getAs(DatasetSchema.LABEL_NAME) + "/"
                    + r.getAs(DatasetSchema.SPLIT));
        }
        Path second = tmp.resolve("second");
        IngestSummary s = ingest(new IngestOptions(List.of(first.toString()), second.toString(), 16, 0,
                io.atelier.common.image.ImageFit.CROP, 2, 0.5, 7L, LabelSource.FOLDER,
                IngestOptions.DEFAULT_MAX_PIXELS, IngestOptions.DEFAULT_MAX_FILE_BYTES, null));
        assertReconciles(s, second);
        assertEquals(List.of("a", "b"), s.manifest().labelNames(), "label names carried over");
        Map<String, String> after = new java.util.TreeMap<>();
        for (Row r : rows(second)) {
            after.put(origin(r), r.getAs(DatasetSchema.LABEL) + "/" + r.getAs(DatasetSchema.LABEL_NAME) + "/"
                    + r.getAs(DatasetSchema.SPLIT));
            assertEquals(16 * 16 * 3, IngestTesting.data(r).length, "re-sized to 16x16x3");
        }
        assertEquals(before, after, "origin -> label/label_name/split, kept although seed and test fraction changed");
    }

    @Test
    void unusualFileNamesAreReadAndOnesTheFileSystemCannotOpenAreQuarantinedNotFatal() {
        Path in = tmp.resolve("names");
        List<String> names = List.of("with space.png", "café.png", "hash#1.png", "percent%20.png", "brackets[1].png",
                "a/semi;colon.png", "a/plus+.png", "a/quote'.png", "a/question?.png");
        // Hadoop's Path reads "12:30" as a URI scheme, and its local checksum file system cannot open
        // such names at all; they may be quarantined but must not fail the job.
        List<String> colons = List.of("12:30.png", "a/b:c.png");
        int i = 0;
        for (String name : names) {
            SampleImages.write(in.resolve(name), SampleImages.shape(i, i++, 20, 20), "png");
        }
        for (String name : colons) {
            SampleImages.write(in.resolve(name), SampleImages.shape(i, i++, 20, 20), "png");
        }
        Path out = tmp.resolve("ds");
        IngestSummary s = ingest(options(List.of(in.toString()), out, 16));
        assertEquals(names.size() + colons.size(), s.in(), "in: every file");
        assertReconciles(s, out);
        Set<String> stored = rows(out).stream().map(r -> origin(r).substring(in.toString().length() + 1))
                .collect(Collectors.toCollection(TreeSet::new));
        Map<String, String> quarantined = new java.util.TreeMap<>();
        quarantineReasons(out).forEach((o, r) -> quarantined.put(o.substring(in.toString().length() + 1), r));
        for (String name : names) {
            assertTrue(stored.contains(name), name + " expected stored; stored " + stored + ", quarantine " + quarantined);
        }
        for (String name : colons) {
            assertTrue(stored.contains(name) || quarantined.containsKey(name),
                    name + " expected stored or quarantined; stored " + stored + ", quarantine " + quarantined);
        }
        assertTrue(quarantined.values().stream().allMatch(r -> r.startsWith("unreadable file: ")),
                "quarantine reasons: " + quarantined);
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
