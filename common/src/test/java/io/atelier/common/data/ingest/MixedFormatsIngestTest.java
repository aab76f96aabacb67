package io.atelier.common.data.ingest;

import io.atelier.common.image.ImageFit;
import io.atelier.common.testing.SampleImages;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.atelier.common.data.ingest.IngestTesting.assertReconciles;
import static io.atelier.common.data.ingest.IngestTesting.data;
import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.origin;
import static io.atelier.common.data.ingest.IngestTesting.quarantine;
import static io.atelier.common.data.ingest.IngestTesting.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One folder holding every promised format, a duplicate, and every kind of broken file. */
class MixedFormatsIngestTest {
    private static final int SIZE = 48;

    @TempDir
    Path tmp;

    /** File name -> what its quarantine reason must say. */
    private final Map<String, String> broken = new LinkedHashMap<>();
    private final Set<String> good = new TreeSet<>();

    private void good(Path dir, String name, byte[] bytes) {
        SampleImages.write(dir.resolve(name), bytes);
        good.add(name);
    }

    private void broken(Path dir, String name, byte[] bytes, String reasonSays) {
        SampleImages.write(dir.resolve(name), bytes);
        broken.put(name, reasonSays);
    }

    private Path mixedFolder() {
        Path dir = tmp.resolve("mixed");
        BufferedImage shape = SampleImages.shape(1, 6, 40, 30);
        good(dir, "baseline.jpg", SampleImages.encode(shape, "jpg"));
        good(dir, "progressive.jpg", SampleImages.resource("progressive.jpg"));
        good(dir, "cmyk.jpg", SampleImages.resource("cmyk.jpg"));
        good(dir, "exif-6.jpg", SampleImages.resource("exif-orientation-6.jpg"));
        good(dir, "rgb8.png", SampleImages.encode(SampleImages.shape(0, 2, 36, 36), "png"));
        good(dir, "rgb16.png", SampleImages.resource("rgb16.png"));
        good(dir, "gray.png", SampleImages.encode(toType(SampleImages.shape(2, 3, 36, 36), BufferedImage.TYPE_BYTE_GRAY), "png"));
        good(dir, "gray16.png", SampleImages.encode(toType(SampleImages.shape(3, 4, 36, 36), BufferedImage.TYPE_USHORT_GRAY), "png"));
        good(dir, "gray-alpha.png", SampleImages.resource("gray-alpha.png"));
        good(dir, "rgba.png", SampleImages.encode(toType(SampleImages.shape(1, 9, 36, 36), BufferedImage.TYPE_INT_ARGB), "png"));
        good(dir, "palette.png", SampleImages.encode(palette(SampleImages.shape(0, 11, 36, 36)), "png"));
        good(dir, "animated.gif", SampleImages.resource("animated.gif"));
        good(dir, "image.bmp", SampleImages.encode(SampleImages.shape(2, 12, 36, 36), "bmp"));
        good(dir, "image.tiff", SampleImages.encode(SampleImages.shape(3, 13, 36, 36), "tiff"));
        good(dir, "lossy.webp", SampleImages.resource("lossy.webp"));
        good(dir, "lossless-alpha.webp", SampleImages.resource("lossless-alpha.webp"));
        // The same picture twice: counted once as a duplicate.
        good(dir, "rgb8-copy.png", SampleImages.encode(SampleImages.shape(0, 2, 36, 36), "png"));

        byte[] bigJpeg = SampleImages.encode(SampleImages.shape(0, 5, 64, 64), "jpg");
        byte[] bigPng = SampleImages.encode(SampleImages.shape(2, 7, 64, 64), "png");
        broken(dir, "empty.jpg", new byte[0], "empty");
        broken(dir, "truncated.jpg", SampleImages.truncate(bigJpeg, bigJpeg.length / 2), "truncated");
        broken(dir, "truncated.png", SampleImages.truncate(bigPng, bigPng.length / 2), "truncated");
        broken(dir, "random.jpg", SampleImages.randomBytes(3000, 99), "not an image");
        broken(dir, "notes.txt", "these are not pixels\n".getBytes(StandardCharsets.UTF_8), "not an image");
        broken(dir, "bomb.png", SampleImages.pngBomb(100_000, 100_000), "100000x100000");
        return dir;
    }

    @Test
    void everyFormatIsAcceptedEveryBrokenFileQuarantinedWithItsReasonAndCountsReconcile() throws IOException {
        Path dir = mixedFolder();
        Path out = tmp.resolve("ds");
        IngestOptions options = new IngestOptions(List.of(dir.toString()), out.toString(), SIZE, 3, ImageFit.PAD,
                2, 0.0, 1L, LabelSource.FOLDER, IngestOptions.DEFAULT_MAX_PIXELS, IngestOptions.DEFAULT_MAX_FILE_BYTES,
                null);
        IngestSummary s = ingest(options);

        assertEquals(good.size() + broken.size(), s.in(), "in: every file");
        assertEquals(good.size() - 1, s.accepted(), "accepted: every good file, less the copy");
        assertEquals(1, s.duplicates(), "duplicates: the copied PNG");
        assertEquals(broken.size(), s.quarantined(), "quarantined: every broken file");
        assertReconciles(s, out);

        Map<String, Row> quarantined = quarantine(out).stream()
                .collect(Collectors.toMap(r -> fileName(r.getAs("origin")), r -> r));
        assertEquals(broken.keySet(), quarantined.keySet(), "files in _quarantine");
        for (Map.Entry<String, String> b : broken.entrySet()) {
            Row q = quarantined.get(b.getKey());
            String reason = q.getAs("reason");
            assertTrue(reason.toLowerCase().contains(b.getValue()),
                    b.getKey() + ": reason expected to say '" + b.getValue() + "', got: " + reason);
            assertEquals(Files.size(dir.resolve(b.getKey())), (long) q.getAs("size"), b.getKey() + ": size in bytes");
        }
        assertTrue(((String) quarantined.get("bomb.png").getAs("reason")).contains("--max-pixels"),
                "bomb reason expected to name the --max-pixels header check, got: "
                        + quarantined.get("bomb.png").getAs("reason"));

        List<Row> rows = rows(out);
        Set<String> stored = rows.stream().map(r -> fileName(origin(r))).collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = new TreeSet<>(good);
        expected.remove("rgb8.png"); // equal content keeps the origin that sorts first: rgb8-copy.png
        assertEquals(expected, stored, "stored images");
        for (Row r : rows) {
            assertEquals(SIZE * SIZE * 3, data(r).length, fileName(origin(r)) + ": bytes of a 48x48 BGR image");
        }

        // EXIF orientation 6: shown 32x48 (block top right) and padded to 48x48 at x 8..39.
        // Unrotated, the block would sit at the left and rows 0..7 would be border.
        byte[] exif = rowOf(rows, "exif-6.jpg");
        assertBgrNear(new Color(220, 40, 40), exif, 36, 3, "rotated red block (top right of the picture)");
        assertBgrNear(new Color(40, 80, 220), exif, 12, 3, "blue at the top left of the rotated picture");
        assertBgrNear(Color.BLACK, exif, 3, 24, "pad border left of the portrait picture");

        // Animated GIF: frame 1 (red disc on white), not frame 2 (green square).
        byte[] gif = rowOf(rows, "animated.gif");
        assertBgrNear(new Color(220, 40, 40), gif, 24, 24, "first frame's red disc");
        assertBgrNear(Color.WHITE, gif, 6, 6, "first frame's white corner");
    }

    private static BufferedImage toType(BufferedImage src, int type) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), type);
        out.getGraphics().drawImage(src, 0, 0, null);
        return out;
    }

    private static BufferedImage palette(BufferedImage src) {
        byte[] r = {(byte) 245, (byte) 220, 40, 40, (byte) 230};
        byte[] g = {(byte) 240, 40, (byte) 160, 80, (byte) 200};
        byte[] b = {(byte) 230, 40, 60, (byte) 220, 30};
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, r.length, r, g, b));
        out.getGraphics().drawImage(src, 0, 0, null);
        return out;
    }

    private static String fileName(String origin) {
        return origin.substring(origin.lastIndexOf('/') + 1);
    }

    private static byte[] rowOf(List<Row> rows, String name) {
        return data(rows.stream().filter(r -> fileName(origin(r)).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " expected among the stored rows")));
    }

    private static void assertBgrNear(Color expected, byte[] bgr, int x, int y, String what) {
        int o = (y * SIZE + x) * 3;
        Color got = new Color(bgr[o + 2] & 0xFF, bgr[o + 1] & 0xFF, bgr[o] & 0xFF);
        int d = Math.max(Math.abs(got.getRed() - expected.getRed()), Math.max(
                Math.abs(got.getGreen() - expected.getGreen()), Math.abs(got.getBlue() - expected.getBlue())));
        assertTrue(d <= 40, what + " at (" + x + "," + y + "): expected about " + expected + ", got " + got);
    }
}
