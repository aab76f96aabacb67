package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.testing.SampleImages;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.atelier.common.data.ingest.IngestTesting.assertReconciles;
import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.options;
import static io.atelier.common.data.ingest.IngestTesting.origin;
import static io.atelier.common.data.ingest.IngestTesting.quarantineReasons;
import static io.atelier.common.data.ingest.IngestTesting.rows;
import static io.atelier.common.data.ingest.IngestTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sidecar captions ({@code x.png} + {@code x.txt}) in folders and archives, kept through a re-ingest. */
class SidecarCaptionsIngestTest {
    @TempDir
    Path tmp;

    /** Three captioned images, one without a caption, one with an empty caption and a caption without image. */
    private Path captionedFolder() throws IOException {
        Path dir = tmp.resolve("photos");
        for (int i = 0; i < 4; i++) {
            SampleImages.write(dir.resolve("shoes/p" + i + ".png"), SampleImages.encode(SampleImages.shape(i % 3, i, 20, 20), "png"));
        }
        SampleImages.write(dir.resolve("shoes/p0.txt"), "a red\n  ankle boot\n".getBytes(StandardCharsets.UTF_8));
        SampleImages.write(dir.resolve("shoes/p1.txt"), "\uFEFFwhite sneaker".getBytes(StandardCharsets.UTF_8));
        SampleImages.write(dir.resolve("shoes/p2.txt"), "   \n".getBytes(StandardCharsets.UTF_8));
        SampleImages.write(dir.resolve("shoes/lost.txt"), "a caption of nothing".getBytes(StandardCharsets.UTF_8));
        SampleImages.write(dir.resolve("shoes/p4.jpg"), SampleImages.encode(SampleImages.shape(2, 9, 20, 20), "jpg"));
        SampleImages.write(dir.resolve("shoes/p4.txt"), "sandal on sand".getBytes(StandardCharsets.UTF_8));
        return dir;
    }

    private static Map<String, String> captionsByFile(Path dataset) {
        Map<String, String> out = new TreeMap<>();
        for (Row r : rows(dataset)) {
            String o = origin(r);
            out.put(o.substring(o.lastIndexOf('/') + 1), r.getAs(DatasetSchema.CAPTION));
        }
        return out;
    }

    private static void assertCaptioned(Path out, IngestSummary s) {
        Map<String, String> expected = new TreeMap<>();
        expected.put("p0.png", "a red ankle boot");
        expected.put("p1.png", "white sneaker");
        expected.put("p3.png", null);
        expected.put("p4.jpg", "sandal on sand");
        assertEquals(expected, captionsByFile(out), "captions by image (white space folded, BOM dropped)");
        assertEquals(3L, s.manifest().captioned(), "manifest counts the captioned rows");
        assertTrue(s.manifest().hasCaptions());
        Map<String, String> reasons = new TreeMap<>();
        quarantineReasons(out).forEach((o, r) -> reasons.put(o.substring(o.lastIndexOf('/') + 1), r));
        assertEquals(List.of("lost.txt", "p2.png"), List.copyOf(reasons.keySet()), "quarantined: " + reasons);
        assertTrue(reasons.get("p2.png").contains("p2.txt is empty"), reasons.get("p2.png"));
        assertTrue(reasons.get("lost.txt").contains("needs an image of the same name"), reasons.get("lost.txt"));
        assertEquals(6, s.in(), "in: five images and the orphan caption; paired captions are not items");
        assertReconciles(s, out);
    }

    @Test
    void folderSidecarsBecomeTheCaptionColumnAndSurviveAReIngest() throws IOException {
        Path out = tmp.resolve("ds");
        IngestSummary s = ingest(options(List.of(captionedFolder().toString()), out, 16));
        assertCaptioned(out, s);

        Path again = tmp.resolve("re-ingested");
        IngestSummary r = ingest(options(List.of(out.toString()), again, 12));
        assertEquals(3L, r.manifest().captioned());
        assertEquals(List.of("a red ankle boot", "sandal on sand", "white sneaker"),
                ImageDataset.open(spark(), again.toString()).rowsWithCaptions(spark())
                        .where(DatasetSchema.CAPTION + " IS NOT NULL").orderBy(DatasetSchema.CAPTION)
                        .select(DatasetSchema.CAPTION).as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    }

    @Test
    void archiveSidecarsPairWhateverTheEntryOrder() throws IOException {
        Path zip = SampleImages.zip(captionedFolder(), tmp.resolve("photos.zip"));
        Path out = tmp.resolve("zipped");
        assertCaptioned(out, ingest(options(List.of(zip.toString()), out, 16)));
    }

    @Test
    void aDatasetWithoutCaptionsHasNoCaptionColumnAndReadsAsNullCaptions() throws IOException {
        Path dir = tmp.resolve("plain");
        SampleImages.write(dir.resolve("a/x.png"), SampleImages.encode(SampleImages.shape(0, 1, 20, 20), "png"));
        Path out = tmp.resolve("plain-ds");
        IngestSummary s = ingest(options(List.of(dir.toString()), out, 16));
        assertNull(s.manifest().captioned(), "no caption count in the manifest");
        assertFalse(DatasetSchema.hasColumn(spark().read().parquet(out.toString()).schema(), DatasetSchema.CAPTION));
        Row row = ImageDataset.open(spark(), out.toString()).rowsWithCaptions(spark()).first();
        assertTrue(row.isNullAt(row.fieldIndex(DatasetSchema.CAPTION)));
    }
}
