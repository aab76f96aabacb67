package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.data.ImageDataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vendored emoji sample, captioned by its sidecar files, through train-diffusion's transformer text encoder. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class EmojiTextToImageCommandTest {
    @TempDir
    static Path tmp;

    @Test
    void emojiCaptionsTrainTheTransformerEncoderAndPromptsFollowItsRules() throws IOException {
        Path sample = Path.of(System.getProperty("atelier.repo.root", ".."), "data", "emoji-sample", "images");
        String dataset = tmp.resolve("emoji-32").toString();
        AtelierCliTest.Result in = atelier("ingest", "--input", sample.toString(), "--output", dataset, "--size", "32",
                "--split-by", "name", "--shards", "1", "--master", "local[1]");
        assertEquals(0, in.code(), in.err());
        assertEquals(204L, ImageDataset.open(SparkSession.active(), dataset).manifest().captioned(), "every image captioned");

        Path run = tmp.resolve("run");
        List<String> train = List.of("train-diffusion", "--data", dataset, "--out", run.toString(), "--conditional",
                "--workers", "1", "--local-steps", "2", "--batch", "4", "--base", "8", "--no-attention", "--timesteps", "20",
                "--sample-every", "1", "--sample-count", "4", "--master", "local[1]");
        AtelierCliTest.Result t = atelier(with(train, "--rounds", "1"));
        assertEquals(0, t.code(), t.err() + t.out());
        JsonNode config = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals("TRANSFORMER", config.at("/diffusion/textEncoder").asText(), "captioned data default: " + config);
        assertEquals(2, config.at("/diffusion/textLayers").asInt());
        double loss = new ObjectMapper().readTree(Files.readAllLines(run.resolve("metrics.jsonl")).get(0)).at("/metrics/loss")
                .asDouble();
        assertTrue(loss > 0 && loss < 10, "a finite first loss: " + loss);
        assertTrue(Files.exists(run.resolve("samples/round-0001.png")), "a sample grid of captions");

        AtelierCliTest.Result resumed = atelier(with(train, "--rounds", "2", "--resume"));
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size(), "resume rebuilds the transformer model");

        AtelierCliTest.Result heart = generate(run, "red heart", "heart");
        assertEquals(0, heart.code(), heart.err() + heart.out());
        assertEquals(2, ImageDataset.open(SparkSession.active(), tmp.resolve("heart").toString()).manifest().counts().rows());

        AtelierCliTest.Result empty = generate(run, " ", "empty");
        assertEquals(0, empty.code(), empty.err() + empty.out());
        assertTrue(empty.err().contains("--prompt is empty: sampling unconditionally"), empty.err());

        AtelierCliTest.Result tooLong = generate(run, "red heart thumbs up medium light skin tone", "long");
        assertEquals(2, tooLong.code(), tooLong.err());
        assertTrue(tooLong.err().contains("has 8 words; this model's text encoder reads at most 6 (its longest training"
                + " caption): shorten the prompt"), tooLong.err());
    }

    private static AtelierCliTest.Result generate(Path run, String prompt, String out) {
        return atelier("generate", "--model", run.toString(), "--count", "2", "--out", tmp.resolve(out).toString(),
                "--prompt", prompt, "--steps", "2", "--master", "local[1]");
    }

    private static String[] with(List<String> args, String... more) {
        List<String> all = new java.util.ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }
}
