package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.testing.SampleImages;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.atelier.common.data.ingest.IngestTesting.assertReconciles;
import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.options;
import static io.atelier.common.data.ingest.IngestTesting.origin;
import static io.atelier.common.data.ingest.IngestTesting.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --split-by name}: paired folders hold the same names out; the default split is the content hash. */
class IngestSplitByTest {
    private static final int PER_SIDE = 40;
    private static final double TEST_FRACTION = 0.3;

    @TempDir
    Path tmp;

    /** {@code a/img-NNN.png} and {@code b/img-NNN.png}: the same names, different pictures (a disc, a square). */
    private Path pairedFolders() {
        Path root = tmp.resolve("pair");
        for (int i = 0; i < PER_SIDE; i++) {
            String name = String.format("img-%03d.png", i);
            SampleImages.write(root.resolve("a").resolve(name), SampleImages.shape(0, i, 24, 24), "png");
            SampleImages.write(root.resolve("b").resolve(name), SampleImages.shape(1, i, 24, 24), "png");
        }
        return root;
    }

    /** file name -> label name -> split, read from the stored rows. */
    private static Map<String, Map<String, String>> splitsByName(Path dataset) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (Row r : rows(dataset)) {
            String origin = origin(r);
            out.computeIfAbsent(origin.substring(origin.lastIndexOf('/') + 1), k -> new TreeMap<>())
                    .put(r.getAs(DatasetSchema.LABEL_NAME), r.getAs(DatasetSchema.SPLIT));
        }
        return out;
    }

    private static long namesSplitApart(Map<String, Map<String, String>> byName) {
        return byName.values().stream().filter(sides -> sides.values().stream().distinct().count() > 1).count();
    }

    @Test
    void splitByNamePutsEachNameOfBothFoldersInOneSplit() {
        Path in = pairedFolders();
        IngestOptions d = options(List.of(in.toString()), tmp.resolve("by-name"), 16);
        IngestOptions byName = new IngestOptions(d.inputs(), d.output(), 16, 3, d.fit(), 4, TEST_FRACTION, 7L,
                d.labels(), d.maxPixels(), d.maxFileBytes(), null, SplitBy.NAME);
        IngestSummary s = ingest(byName);
        assertReconciles(s, tmp.resolve("by-name"));
        assertEquals(2L * PER_SIDE, s.accepted(), "every picture differs, so all are kept");

        Map<String, Map<String, String>> splits = splitsByName(tmp.resolve("by-name"));
        assertEquals(PER_SIDE, splits.size(), "file names");
        splits.forEach((name, sides) -> assertEquals(2, sides.size(), name + ": expected a row in a and in b, got " + sides));
        assertEquals(0, namesSplitApart(splits), "names whose a and b rows are in different splits: " + splits);
        long test = splits.values().stream().filter(sides -> sides.get("a").equals(DatasetSchema.TEST)).count();
        assertTrue(test > 0 && test < PER_SIDE, "expected both splits used at fraction " + TEST_FRACTION + ", got "
                + test + " of " + PER_SIDE + " names in test");
        // labels a and b are indices 0 and 1
        assertEquals(Map.of("0", Map.of(DatasetSchema.TEST, test, DatasetSchema.TRAIN, PER_SIDE - test),
                        "1", Map.of(DatasetSchema.TEST, test, DatasetSchema.TRAIN, PER_SIDE - test)),
                s.manifest().counts().perLabel(), "manifest counts per label and split: equal on both sides");
        assertEquals("name", ingestProvenance(s).get("splitBy"), "manifest provenance records the split key");

        // The same pairs in an archive: entry names "a/img-000.png" split as the folder files do.
        Path zip = SampleImages.zip(in, tmp.resolve("pair.zip"));
        IngestOptions fromZip = new IngestOptions(List.of(zip.toString()), tmp.resolve("zip").toString(), 16, 3,
                byName.fit(), 4, TEST_FRACTION, 7L, byName.labels(), byName.maxPixels(), byName.maxFileBytes(), null,
                SplitBy.NAME);
        ingest(fromZip);
        assertEquals(splits, splitsByName(tmp.resolve("zip")), "file name -> label -> split, archive vs folder");

        // Hashing the content instead splits some pairs apart: the name is what keeps them together.
        IngestSummary c = ingest(fromZip.withOutput(tmp.resolve("by-content").toString()).withSplitBy(SplitBy.CONTENT));
        assertTrue(namesSplitApart(splitsByName(tmp.resolve("by-content"))) > 0,
                "expected --split-by content to put some a/b pairs in different splits: " + c.line());
    }

    @Test
    void defaultSplitIsTheSeededHashOfTheContentIdAsBefore() throws Exception {
        Path in = pairedFolders();
        IngestOptions defaults = options(List.of(in.toString()), tmp.resolve("default"), 16);
        assertEquals(SplitBy.CONTENT, defaults.splitBy(), "default --split-by");
        IngestSummary s = ingest(defaults);
        int test = 0;
        for (Row r : rows(tmp.resolve("default"))) {
            String id = r.getAs(DatasetSchema.ID);
            // The rule ingest has always applied: SHA-256 of "seed:id", top 53 bits as u in [0, 1).
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((defaults.seed() + ":" + id).getBytes(StandardCharsets.UTF_8));
            double u = (ByteBuffer.wrap(digest).getLong() >>> 11) / (double) (1L << 53);
            String expected = u < defaults.testFraction() ? DatasetSchema.TEST : DatasetSchema.TRAIN;
            assertEquals(expected, r.getAs(DatasetSchema.SPLIT), origin(r) + ": split of id " + id);
            test += expected.equals(DatasetSchema.TEST) ? 1 : 0;
        }
        assertTrue(test > 0, "expected some test rows at fraction " + defaults.testFraction());
        assertFalse(ingestProvenance(s).containsKey("splitBy"),
                "a content split records no splitBy, so manifests of earlier ingests still match: " + ingestProvenance(s));
        // Re-running the identical ingest with the split named explicitly is the same dataset: nothing to do.
        IngestSummary again = ingest(defaults.withSplitBy(SplitBy.CONTENT));
        assertTrue(again.alreadyPresent(),
                "expected the explicit content split to match the default's dataset, got: " + again.line());
    }

    @Test
    void splitBySettingParsesAndRefusesUnknownNamesInOneLine() {
        IngestSettings d = IngestSettings.DEFAULTS;
        assertEquals(SplitBy.CONTENT, withSplitBy(d, "content").options().splitBy());
        assertEquals(SplitBy.NAME, withSplitBy(d, " Name ").options().splitBy());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> withSplitBy(d, "file").options());
        assertEquals("unknown splitBy 'file': use content or name", e.getMessage());
    }

    private static IngestSettings withSplitBy(IngestSettings d, String splitBy) {
        return new IngestSettings(List.of("in"), "out", 16, d.channels(), d.fit(), d.shards(), d.testFraction(),
                d.seed(), splitBy, d.labels(), d.maxPixels(), d.labelNames());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ingestProvenance(IngestSummary s) {
        return (Map<String, Object>) s.manifest().provenance().get("ingest");
    }
}
