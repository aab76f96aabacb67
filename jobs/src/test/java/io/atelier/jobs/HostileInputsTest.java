package io.atelier.jobs;

import io.atelier.common.style.FastStyleModel;
import io.atelier.common.style.TransformerNet;
import io.atelier.common.testing.SampleImages;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and broken inputs through the CLI, as a user would give them: each ends in a one-line
 * error (exit code 2) or in quarantine rows, writes nothing outside its output, and leaves no
 * half-written output visible. docs/RELIABILITY.md lists each kind with the test that covers it.
 */
@ExtendWith(StopSparkAfterAll.class)
class HostileInputsTest {
    static final String LOCAL = "local[1]";

    @TempDir
    static Path tmp;
    static Path photos;
    static Path dataset;
    static Path run;
    static Path styleModel;

    @BeforeAll
    static void makeDatasetRunAndModel() throws IOException {
        photos = tmp.resolve("photos");
        for (int i = 0; i < 16; i++) {
            SampleImages.write(photos.resolve(i % 2 == 0 ? "a" : "b").resolve("p" + i + ".png"),
                    SampleImages.shape(i % 4, i, 28, 28), "png");
        }
        dataset = tmp.resolve("dataset");
        AtelierCliTest.Result ingest = atelier("ingest", "--input", photos.toString(), "--output", dataset.toString(),
                "--size", "28", "--channels", "1", "--shards", "1", "--test-fraction", "0", "--master", LOCAL);
        assertEquals(0, ingest.code(), ingest.err());
        run = tmp.resolve("gan-run");
        AtelierCliTest.Result train = atelier(trainArgs(dataset, run));
        assertEquals(0, train.code(), train.err());
        styleModel = tmp.resolve("style-model");
        TransformerNet.Config config = new TransformerNet.Config(2, 1);
        new FastStyleModel("tiny", "none", config, TransformerNet.initial(config, 1), Map.of())
                .save(styleModel.toString(), new Configuration());
    }

    static String[] trainArgs(Path data, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train-gan", "--data", data.toString(), "--out",
                out.toString(), "--workers", "1", "--local-steps", "1", "--rounds", "1", "--batch", "4",
                "--latent-dim", "8", "--generator-width", "8", "--discriminator-width", "8", "--sample-every", "100",
                "--sample-count", "4", "--master", LOCAL));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** Every file under {@code dir}, relative to it. */
    static Set<String> files(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Exit code 2, one line on stderr that contains every part, and {@code output} not created. */
    static void assertRefused(AtelierCliTest.Result r, Path output, String... parts) {
        String err = r.err().strip();
        assertEquals(2, r.code(), "exit code; stderr: " + r.err() + "\nstdout: " + r.out());
        assertEquals(1, err.lines().filter(l -> !l.isBlank()).count(), "one line: " + err);
        for (String part : parts) {
            assertTrue(err.contains(part), "'" + part + "' in: " + err);
        }
        if (output != null) {
            assertFalse(Files.exists(output), output + " must not be created");
        }
    }

    static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A BMP header declaring width x height 24-bit pixels, with no pixel data. */
    static byte[] bmpBomb(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(54 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(54 + 16).putInt(0).putInt(54);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 24).putInt(0).putInt(0)
                .putInt(2835).putInt(2835).putInt(0).putInt(0);
        return b.array();
    }

    /** A GIF whose logical screen and only frame declare 65535 x 65535 pixels, with one byte of data. */
    static byte[] gifBomb() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0xFFFF).putShort((short) 0xFFFF)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        b.put((byte) 0x2C).putShort((short) 0).putShort((short) 0).putShort((short) 0xFFFF).putShort((short) 0xFFFF)
                .put((byte) 0);
        b.put((byte) 2).put((byte) 1).put((byte) 0x44).put((byte) 0).put((byte) 0x3B);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** A baseline JPEG header (SOF0) declaring 65000 x 65000 gray pixels, cut after its frame header. */
    static byte[] jpegBomb() {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put((byte) 0xFF).put((byte) 0xD8);
        b.put((byte) 0xFF).put((byte) 0xC0).putShort((short) 11).put((byte) 8).putShort((short) 65000)
                .putShort((short) 65000).put((byte) 1).put((byte) 1).put((byte) 0x11).put((byte) 0);
        b.put((byte) 0xFF).put((byte) 0xD9);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** A little-endian TIFF whose one IFD declares 100000 x 100000 8-bit gray pixels in one tiny strip. */
    static byte[] tiffBomb() {
        int entries = 8;
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + entries * 12 + 4 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8).putShort((short) entries);
        int data = 8 + 2 + entries * 12 + 4;
        tag(b, 256, 4, 100_000);      // ImageWidth
        tag(b, 257, 4, 100_000);      // ImageLength
        tag(b, 258, 3, 8);            // BitsPerSample
        tag(b, 259, 3, 1);            // Compression: none
        tag(b, 262, 3, 1);            // Photometric: black is zero
        tag(b, 273, 4, data);         // StripOffsets
        tag(b, 278, 4, 100_000);      // RowsPerStrip
        tag(b, 279, 4, 16);           // StripByteCounts
        b.putInt(0);
        return b.array();
    }

    private static void tag(ByteBuffer b, int tag, int type, int value) {
        b.putShort((short) tag).putShort((short) type).putInt(1);
        if (type == 3) {
            b.putShort((short) value).putShort((short) 0);
        } else {
            b.putInt(value);
        }
    }

    /** A WebP (VP8X) header declaring a 16384 x 16384 canvas, with no image chunk. */
    static byte[] webpBomb() {
        ByteBuffer b = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(22).put("WEBP".getBytes(StandardCharsets.US_ASCII));
        b.put("VP8X".getBytes(StandardCharsets.US_ASCII)).putInt(10).putInt(0);
        int w = 16383;
        int h = 16383;
        b.put((byte) w).put((byte) (w >> 8)).put((byte) (w >> 16)).put((byte) h).put((byte) (h >> 8)).put((byte) (h >> 16));
        return b.array();
    }

    @Test
    void archiveAndImageBombsAndClimbingEntryNamesAreQuarantinedAndNothingLeavesTheOutput() throws IOException {
        Path zoo = tmp.resolve("zoo");
        byte[] png1 = SampleImages.encode(SampleImages.shape(1, 41, 24, 24), "png");
        byte[] png2 = SampleImages.encode(SampleImages.shape(2, 42, 24, 24), "png");
        byte[] png3 = SampleImages.encode(SampleImages.shape(3, 43, 24, 24), "png");
        SampleImages.write(zoo.resolve("good.png"), SampleImages.shape(0, 40, 24, 24), "png");
        // zip slip: names that climb out, and absolute ones; entries are read, never extracted
        SampleImages.write(zoo.resolve("slip.zip"), zip(Map.of("../../evil.png", png1, "/tmp/abs-evil.png", png2)));
        // an archive inside an archive is not opened: the inner one is not an image
        SampleImages.write(zoo.resolve("nested.zip"), zip(Map.of("inner.zip", zip(Map.of("x.png", png3)))));
        // 20,000 entries of one byte each
        Map<String, byte[]> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 20_000; i++) {
            many.put("e" + i + ".png", new byte[]{(byte) i});
        }
        SampleImages.write(zoo.resolve("many.zip"), zip(many));
        // expansion ratio: 300 MB of zeros deflate to about 300 KB, over the 256 MB entry limit
        try (OutputStream file = Files.newOutputStream(zoo.resolve("ratio.zip")); ZipOutputStream z = new ZipOutputStream(file)) {
            z.putNextEntry(new ZipEntry("zeros.png"));
            byte[] mb = new byte[1 << 20];
            for (int i = 0; i < 300; i++) {
                z.write(mb);
            }
            z.closeEntry();
        }
        SampleImages.write(zoo.resolve("bomb.png"), SampleImages.pngBomb(100_000, 100_000));
        SampleImages.write(zoo.resolve("bomb.bmp"), bmpBomb(100_000, 100_000));
        SampleImages.write(zoo.resolve("bomb.gif"), gifBomb());
        SampleImages.write(zoo.resolve("bomb.jpg"), jpegBomb());
        SampleImages.write(zoo.resolve("bomb.tif"), tiffBomb());
        SampleImages.write(zoo.resolve("bomb.webp"), webpBomb());
        // a caption file that is not UTF-8 (0xC3 0x28 is a broken two-byte sequence)
        SampleImages.write(zoo.resolve("cap.png"), SampleImages.shape(0, 44, 24, 24), "png");
        SampleImages.write(zoo.resolve("cap.txt"), new byte[]{'a', (byte) 0xC3, 0x28, 'b'});
        Set<String> before = files(tmp);
        Path out = tmp.resolve("zoo-ds");

        AtelierCliTest.Result r = atelier("ingest", "--input", zoo.toString(), "--output", out.toString(), "--size", "16",
                "--master", LOCAL);

        assertEquals(0, r.code(), r.err());
        int in = 1 + 2 + 1 + 20_000 + 1 + 6 + 1;
        assertTrue(r.out().contains("in " + in + " = accepted 3 + duplicates 0 + quarantined " + (in - 3)), r.out());
        Map<String, String> reasons = SparkSession.active().read().parquet(out.resolve("_quarantine").toString())
                .collectAsList().stream().collect(Collectors.toMap(row -> row.<String>getAs("origin"),
                        row -> row.<String>getAs("reason")));
        for (String bomb : List.of("bomb.png", "bomb.bmp", "bomb.gif", "bomb.jpg", "bomb.tif", "bomb.webp")) {
            String reason = reasons.get(zoo.resolve(bomb).toString());
            assertTrue(reason != null && reason.contains("--max-pixels"), bomb + ": " + reason);
        }
        assertTrue(reasons.get(zoo.resolve("ratio.zip") + "!/zeros.png").contains("byte limit"), reasons.toString());
        assertTrue(reasons.containsKey(zoo.resolve("nested.zip") + "!/inner.zip"), "the inner archive is a bad image");
        assertTrue(reasons.get(zoo.resolve("cap.png").toString()).contains("cap.txt is not UTF-8"), reasons.toString());
        List<String> labels = SparkSession.active().read().parquet(out.toString()).select("label_name")
                .as(Encoders.STRING()).collectAsList();
        assertEquals(3, labels.size());
        Set<String> after = files(tmp);
        after.removeIf(f -> f.startsWith("zoo-ds/") || f.startsWith("_zoo-ds.lease"));
        assertEquals(before, after, "nothing written outside --output");
    }

    @Test
    void anOutputEqualToOrInsideTheInputIsRefused() throws IOException {
        Path in = copyTree(photos, tmp.resolve("in-out"));
        Set<String> before = files(in);
        assertRefused(atelier("ingest", "--input", in.toString(), "--output", in.toString(), "--size", "16",
                "--master", LOCAL), null, in.toString());
        Path inside = in.resolve("a/ds");
        assertRefused(atelier("ingest", "--input", in.toString(), "--output", inside.toString(), "--size", "16",
                "--master", LOCAL), inside, inside.toString(), "inside");
        Path stylized = in.resolve("stylized");
        assertRefused(atelier("stylize", "--input", in.toString(), "--model", styleModel.toString(), "--method", "fast",
                "--out", stylized.toString(), "--master", LOCAL), stylized, stylized.toString(), "inside");
        assertEquals(before, files(in), "the input is untouched");
    }

    @Test
    void pathsWithSpacesUnicodeAndNewlinesAreReadAndWritten() throws IOException {
        Path in = copyTree(photos, tmp.resolve("in put é\nline"));
        Path out = tmp.resolve("out put ü\nline");
        AtelierCliTest.Result r = atelier("ingest", "--input", in.toString(), "--output", out.toString(), "--size", "16",
                "--master", LOCAL);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("in 16 = accepted 16 + duplicates 0 + quarantined 0"), r.out());
        assertEquals(16, SparkSession.active().read().parquet(out.toString()).count());
    }

    @Test
    void aStyleImageThatIsBrokenIsOneLine() throws IOException {
        Path style = SampleImages.write(tmp.resolve("broken-style.jpg"), "not a jpeg".getBytes());
        Path out = tmp.resolve("broken-style-out");
        assertRefused(atelier("stylize", "--input", photos.toString(), "--style", style.toString(), "--method", "gatys",
                "--extractor", "random", "--size", "16", "--iterations", "1", "--out", out.toString(), "--master", LOCAL),
                out, "--style broken-style", "not an image");
    }

    @Test
    void aTruncatedParquetFileInADatasetIsOneLine() throws IOException {
        Path broken = copyTree(dataset, tmp.resolve("truncated-ds"));
        Path part;
        try (Stream<Path> all = Files.walk(broken)) {
            part = all.filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_quarantine"))
                    .findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(part);
        Files.write(part, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.deleteIfExists(part.resolveSibling("." + part.getFileName() + ".crc"));
        Path out = tmp.resolve("run-truncated");
        AtelierCliTest.Result r = atelier(trainArgs(broken, out));
        assertRefused(r, out, broken.toString(), "not a Parquet file");
    }

    @Test
    void aParquetDatasetOfAnotherSchemaIsOneLine() throws IOException {
        Path other = tmp.resolve("other-schema");
        SparkSession.active().range(8).toDF("x").write().parquet(other.toString());
        Files.copy(dataset.resolve("_manifest.json"), other.resolve("_manifest.json"));
        Path out = tmp.resolve("run-other-schema");
        assertRefused(atelier(trainArgs(other, out)), out, other.toString(), "image");
    }

    @Test
    void aDatasetOfANewerSchemaVersionIsOneLine() throws IOException {
        Path newer = copyTree(dataset, tmp.resolve("newer-ds"));
        Path manifest = newer.resolve("_manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"schemaVersion\"\\s*:\\s*\\d+",
                "\"schemaVersion\": 99"));
        Files.deleteIfExists(newer.resolve("._manifest.json.crc"));
        Path out = tmp.resolve("run-newer");
        assertRefused(atelier(trainArgs(newer, out)), out, "schema version 99", "upgrade Atelier");
    }

    @Test
    void negativeCountsAndNanRatesInAConfigFileAreOneLine() throws IOException {
        Path out = tmp.resolve("run-bad-config");
        // keys that trainArgs gives no flag for, since a flag overrides the file
        Path negative = Files.writeString(tmp.resolve("negative.json"), "{\"checkpointEvery\": -3}");
        assertRefused(atelier(trainArgs(dataset, out, "--config", negative.toString())), out, "checkpoint", "-3");
        Path nanString = Files.writeString(tmp.resolve("nan-string.json"), "{\"lr\": \"NaN\"}");
        assertRefused(atelier(trainArgs(dataset, out, "--config", nanString.toString())), out, "finite", "NaN");
        Path nanToken = Files.writeString(tmp.resolve("nan-token.json"), "{\"lr\": NaN}");
        assertRefused(atelier(trainArgs(dataset, out, "--config", nanToken.toString())), out, nanToken.toString());
        Path negativeKeep = Files.writeString(tmp.resolve("negative-keep.json"), "{\"keepCheckpoints\": -1}");
        assertRefused(atelier(trainArgs(dataset, out, "--config", negativeKeep.toString())), out, "keep", "-1");
    }

    @Test
    void aModelDirectoryOfAnotherFamilyIsOneLine() {
        Path generated = tmp.resolve("gen-from-style-model");
        assertRefused(atelier("generate", "--model", styleModel.toString(), "--count", "4", "--out", generated.toString(),
                "--master", LOCAL), generated, styleModel.toString());
        Path stylized = tmp.resolve("stylize-with-gan");
        assertRefused(atelier("stylize", "--input", photos.toString(), "--model", run.toString(), "--method", "fast",
                "--out", stylized.toString(), "--master", LOCAL), stylized, run.toString());
    }

    @Test
    void aTamperedCheckpointStopsGenerateInOneLineNamingTheFile() throws IOException {
        for (String file : List.of("state.bin", "meta.json", "SHA256SUMS")) {
            Path copy = copyTree(run, tmp.resolve("tampered-" + file));
            Path target;
            try (Stream<Path> all = Files.walk(copy.resolve("checkpoints"))) {
                target = all.filter(p -> p.getFileName().toString().equals(file)).findFirst().orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(target);
            bytes[bytes.length / 2] ^= 0x01;
            Files.write(target, bytes);
            Path out = tmp.resolve("gen-" + file);
            assertRefused(atelier("generate", "--model", copy.toString(), "--count", "4", "--out", out.toString(),
                    "--master", LOCAL), out, file);
        }
    }

    static List<Row> rows(Path dir) {
        return SparkSession.active().read().parquet(dir.toString()).collectAsList();
    }
}
