package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.data.ImageDataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A conditional diffusion run on a dataset whose captions came from sidecar files, prompted with caption words. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class CaptionedDiffusionCommandTest {
    /** Captions per bar class, worded differently image to image: the vocabulary is their words. */
    private static final String[][] CAPTIONS = {
            {"a bright bar at the top", "bright stripe near the top edge"},
            {"a bright bar at the bottom", "stripe along the bottom edge"},
            {"a vertical bar in the middle", "one upright stripe"}};

    @TempDir
    static Path tmp;

    @Test
    void captionsTeachTheVocabularyAndPromptsUseItsWords() throws IOException {
        Path photos = tmp.resolve("captioned");
        Files.createDirectories(photos);
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 24; i++) {
            int c = i % 3;
            ImageIO.write(GanCommandsTest.bar(c, rng), "png", photos.resolve(i + ".png").toFile());
            Files.writeString(photos.resolve(i + ".txt"), CAPTIONS[c][(i / 3) % 2]);
        }
        String dataset = tmp.resolve("captioned-ds").toString();
        AtelierCliTest.Result in = atelier("ingest", "--input", photos.toString(), "--output", dataset, "--size", "28",
                "--channels", "1", "--shards", "1", "--test-fraction", "0", "--master", "local[1]");
        assertEquals(0, in.code(), in.err());
        assertEquals(24L, ImageDataset.open(SparkSession.active(), dataset).manifest().captioned());

        Path run = tmp.resolve("run");
        AtelierCliTest.Result t = atelier("train-diffusion", "--data", dataset, "--out", run.toString(), "--conditional",
                "--workers", "1", "--local-steps", "2", "--rounds", "2", "--batch", "4", "--base", "8", "--no-attention",
                "--timesteps", "20", "--sample-every", "2", "--sample-count", "4", "--master", "local[1]");
        assertEquals(0, t.code(), t.err() + t.out());
        JsonNode config = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals("caption", config.path("captionSource").asText(), "the run records its caption source");
        assertEquals(6, config.at("/diffusion/captions").size(), "one caption per distinct text: " + config.at("/diffusion/captions"));

        String prompted = tmp.resolve("prompted").toString();
        AtelierCliTest.Result p = atelier("generate", "--model", run.toString(), "--count", "2", "--out", prompted,
                "--prompt", "Upright stripe, bottom edge", "--steps", "2", "--master", "local[1]");
        assertEquals(0, p.code(), p.err() + p.out());
        assertEquals(2, ImageDataset.open(SparkSession.active(), prompted).manifest().counts().rows());

        AtelierCliTest.Result unknown = atelier("generate", "--model", run.toString(), "--count", "2", "--out",
                tmp.resolve("unknown").toString(), "--prompt", "ankle boot at the top", "--steps", "2", "--master", "local[1]");
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("unknown words ankle, boot"), unknown.err());
        for (String word : List.of("bright", "stripe", "upright", "edge", "vertical", "middle")) {
            assertTrue(unknown.err().contains(word), "the vocabulary is listed: " + unknown.err());
        }
    }
}
