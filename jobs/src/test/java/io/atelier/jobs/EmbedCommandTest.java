package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

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
    void vgg19WithoutWeightsIsOneLineBadInput() {
        AtelierCliTest.Result r = AtelierCliTest.atelier("embed", "--input", ROOT.resolve("data/images").toString(),
                "--extractor", "vgg19", "--out", tmp.resolve("x").toString(), "--master", "local[2]");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("atelier embed: --extractor vgg19 needs --vgg FILE.h5"), r.err());
    }
}
