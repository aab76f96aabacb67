package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.Manifest;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import static io.atelier.common.data.ingest.IngestTesting.assertReconciles;
import static io.atelier.common.data.ingest.IngestTesting.data;
import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.options;
import static io.atelier.common.data.ingest.IngestTesting.origin;
import static io.atelier.common.data.ingest.IngestTesting.perLabel;
import static io.atelier.common.data.ingest.IngestTesting.perLabelInRows;
import static io.atelier.common.data.ingest.IngestTesting.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vendored Fashion-MNIST test set (10,000 IDX records) through a whole ingest. */
class FashionMnistIngestTest {
    private static final int N = 10_000;
    private static final int PLANE = 28 * 28;

    @TempDir
    Path tmp;

    private static Path fashionMnist() {
        String root = System.getProperty("atelier.repo.root");
        assertTrue(root != null, "system property atelier.repo.root expected (set by surefire)");
        Path dir = Path.of(root, "data", "fashion-mnist");
        assertTrue(Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz")), "vendored data expected at " + dir);
        return dir;
    }

    private static byte[] gunzip(Path file, int headerBytes, int bodyBytes) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            in.skipNBytes(headerBytes);
            byte[] body = new byte[bodyBytes];
            in.readFully(body);
            return body;
        }
    }

    @Test
    void vendoredFashionMnistBecomesTenNamedGrayClassesWhoseCountsReconcile() throws IOException {
        Path dir = fashionMnist();
        byte[] pixels = gunzip(dir.resolve("t10k-images-idx3-ubyte.gz"), 16, N * PLANE);
        byte[] labels = gunzip(dir.resolve("t10k-labels-idx1-ubyte.gz"), 8, N);
        List<String> names = Files.readAllLines(dir.resolve("class-names.txt"), StandardCharsets.UTF_8).stream()
                .map(String::trim).filter(s -> !s.isEmpty()).toList();

        // What the dataset must hold, from the raw files: equal pixels are one image, kept under
        // the record whose origin ("...#index") sorts first.
        Map<ByteBuffer, String> keptOrigin = new HashMap<>();
        Map<String, Integer> labelOfOrigin = new HashMap<>();
        for (int i = 0; i < N; i++) {
            ByteBuffer key = ByteBuffer.wrap(pixels, i * PLANE, PLANE).slice();
            String o = "#" + i;
            labelOfOrigin.put(o, labels[i] & 0xFF);
            keptOrigin.merge(key, o, (a, b) -> a.compareTo(b) <= 0 ? a : b);
        }
        Map<String, Long> expectedPerLabel = new TreeMap<>();
        keptOrigin.values().forEach(o -> expectedPerLabel.merge(String.valueOf(labelOfOrigin.get(o)), 1L, Long::sum));
        long expectedDuplicates = N - keptOrigin.size();

        Path out = tmp.resolve("fashion");
        IngestSummary s = ingest(options(List.of(dir.toString()), out, 28));

        assertEquals(N, s.in(), "records in (LICENSE and class-names.txt are not items)");
        assertEquals(0, s.quarantined(), "quarantined");
        assertEquals(expectedDuplicates, s.duplicates(), "duplicates (identical pixels)");
        assertReconciles(s, out);
        Manifest m = s.manifest();
        assertEquals(1, m.channels(), "channels by default for IDX input");
        assertEquals("28x28", m.height() + "x" + m.width(), "image size");
        assertEquals(names, m.labelNames(), "label names from class-names.txt");
        assertEquals(10, m.labelNames().size(), "label count");
        assertEquals(expectedPerLabel, perLabel(m), "manifest images per label");

        List<Row> rows = rows(out);
        assertEquals(expectedPerLabel, perLabelInRows(rows), "stored rows per label");
        long test = m.count(DatasetSchema.TEST);
        assertTrue(test > 0.08 * rows.size() && test < 0.12 * rows.size(),
                "test split expected near the 0.1 fraction, got " + test + " of " + rows.size());
        for (Row r : rows) {
            String origin = origin(r);
            int i = Integer.parseInt(origin.substring(origin.lastIndexOf('#') + 1));
            int label = r.getAs(DatasetSchema.LABEL);
            assertEquals(labels[i] & 0xFF, label, "label of record " + i);
            assertEquals(names.get(label), r.getAs(DatasetSchema.LABEL_NAME), "label_name of record " + i);
            if (i % 997 == 0) {
                byte[] expected = java.util.Arrays.copyOfRange(pixels, i * PLANE, (i + 1) * PLANE);
                assertArrayEquals(expected, data(r), "pixels of record " + i);
            }
        }
        // The mean is over pixel/255 of all stored images: recompute it from the raw bytes kept.
        double sum = 0;
        for (String o : keptOrigin.values()) {
            int i = Integer.parseInt(o.substring(1));
            for (int p = 0; p < PLANE; p++) {
                sum += (pixels[i * PLANE + p] & 0xFF) / 255.0;
            }
        }
        double mean = sum / ((double) keptOrigin.size() * PLANE);
        assertEquals(mean, m.channelMean()[0], 1e-9, "manifest channel mean");
    }
}
