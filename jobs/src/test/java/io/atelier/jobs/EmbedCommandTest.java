package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class EmbedCommandTest {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void shippedImagesEmbedWithMobileNetV2AsJsonLines() throws IOException {
        Path out = tmp.resolve("embeddings");
        AtelierCliTest.Result r = AtelierCliTest.atelier("embed", "--input", ROOT.resolve("data/images").toString(),
                "--extractor", "mobilenet_v2", "--model-dir", ROOT.resolve("data/models/nsfwjs-mobilenet_v2").toString(),
                "--layer", "block_8_add,dense_3", "--out", out.toString(), "--json", "--master", "local[2]");

        assertEquals(0, r.code(), r.err());
        // data/images holds the shipped images and a PROVENANCE.md, which is rejected, not fatal.
        long images;
        try (Stream<Path> files = Files.walk(ROOT.resolve("data/images"))) {
            images = files.filter(f -> f.toString().matches(".*\\.(jpg|png)$")).count();
        }
        assertTrue(r.err().contains("embed: in " + (images + 1) + " = embedded " + images + " + rejected 1; "
                + 2 * images + " vectors (block_8_add, dense_3)"), r.err());
        assertTrue(r.err().contains("; devices: executor driver: cpu, "), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2 * images, lines.size(), r.out());
        for (String line : lines) {
            JsonNode v = Json.MAPPER.readTree(line);
            int length = v.path("vector").size();
            if (v.path("layer").asText().equals("dense_3")) {
                assertEquals(5, length, "five classes: Drawing, Hentai, Neutral, Porn, Sexy");
                double sum = 0;
                for (JsonNode p : v.path("vector")) {
                    sum += p.asDouble();
                }
                assertEquals(1.0, sum, 1e-5, "softmax output");
            } else {
                assertEquals(64, length, "block_8_add has 64 channels");
            }
        }
        assertTrue(Files.exists(out.resolve("_embedding.json")));
    }

    @Test
    void aZipOfImagesEmbedsEachEntryAndACorruptFileIsNamedWithItsReason() throws IOException {
        List<Path> shipped;
        try (Stream<Path> files = Files.walk(ROOT.resolve("data/images"))) {
            shipped = files.filter(f -> f.toString().endsWith(".png")).sorted().limit(3).toList();
        }
        assertEquals(3, shipped.size(), "three shipped PNG images");
        Path zip = tmp.resolve("photos.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int i = 0; i < shipped.size(); i++) {
                z.putNextEntry(new ZipEntry("photo-" + i + ".png"));
                z.write(Files.readAllBytes(shipped.get(i)));
                z.closeEntry();
            }
        }
        AtelierCliTest.Result fromZip = AtelierCliTest.atelier("embed", "--input", zip.toString(), "--extractor", "random",
                "--out", tmp.resolve("zip-out").toString(), "--master", "local[2]");
        assertEquals(0, fromZip.code(), fromZip.err());
        assertTrue(fromZip.out().contains("embed: in 3 = embedded 3 + rejected 0; 3 vectors (conv3)"), fromZip.out());

        Path folder = tmp.resolve("folder");
        Files.createDirectories(folder);
        for (int i = 0; i < shipped.size(); i++) {
            Files.copy(shipped.get(i), folder.resolve("photo-" + i + ".png"));
        }
        Files.write(folder.resolve("cut.png"), Arrays.copyOf(Files.readAllBytes(shipped.get(0)), 100));
        AtelierCliTest.Result fromFolder = AtelierCliTest.atelier("embed", "--input", folder.toString(),
                "--extractor", "random", "--out", tmp.resolve("folder-out").toString(), "--master", "local[2]");
        assertEquals(0, fromFolder.code(), fromFolder.err());
        assertTrue(fromFolder.out().contains("embed: in 4 = embedded 3 + rejected 1; 3 vectors (conv3)"), fromFolder.out());
        assertTrue(fromFolder.out().lines().anyMatch(l -> l.startsWith("embed: rejected ") && l.contains("cut.png: corrupt")),
                fromFolder.out());
    }

    @Test
    void vgg19WithoutWeightsIsOneLineBadInput() {
        AtelierCliTest.Result r = AtelierCliTest.atelier("embed", "--input", ROOT.resolve("data/images").toString(),
                "--extractor", "vgg19", "--out", tmp.resolve("x").toString(), "--master", "local[2]");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("atelier embed: --extractor vgg19 needs --vgg FILE.h5"), r.err());
    }
}
