package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code prompt-fidelity} on a tiny text-to-image run of the vendored emoji sample, with a tiny
 * classifier of the sample's two labels (google, twitter) standing in for a category classifier:
 * the counts reconcile, the shares are those counts, reruns agree, and bad input is refused in one line.
 */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class PromptFidelityCommandTest {
    @TempDir
    static Path tmp;
    static String dataset;
    static String run;
    static String classifier;

    @BeforeAll
    static void trainTinyModels() {
        Path sample = Path.of(System.getProperty("atelier.repo.root", ".."), "data", "emoji-sample", "images");
        dataset = tmp.resolve("emoji-32").toString();
        AtelierCliTest.Result in = atelier("ingest", "--input", sample.toString(), "--output", dataset, "--size", "32",
                "--split-by", "name", "--shards", "1", "--master", "local[1]");
        assertEquals(0, in.code(), in.err());
        run = tmp.resolve("run").toString();
        AtelierCliTest.Result t = atelier("train-diffusion", "--data", dataset, "--out", run, "--conditional",
                "--workers", "1", "--local-steps", "2", "--batch", "4", "--base", "8", "--no-attention", "--timesteps", "20",
                "--rounds", "1", "--sample-every", "1", "--sample-count", "4", "--master", "local[1]");
        assertEquals(0, t.code(), t.err() + t.out());
        classifier = tmp.resolve("classifier.zip").toString();
        AtelierCliTest.Result c = atelier("train-classifier", "--data", dataset, "--out", classifier, "--epochs", "1",
                "--width", "4", "--batch", "16", "--averaging", "2", "--seed", "3", "--master", "local[2]");
        assertEquals(0, c.code(), c.err());
    }

    private static Path prompts(String name, String json) throws IOException {
        return Files.writeString(tmp.resolve(name), json);
    }

    private static AtelierCliTest.Result fidelity(Path prompts, String out, String... more) {
        List<String> args = new ArrayList<>(List.of("prompt-fidelity", "--model", run, "--prompts", prompts.toString(),
                "--real", dataset, "--classifier", classifier, "--count", "3", "--steps", "2", "--out",
                tmp.resolve(out).toString(), "--master", "local[2]"));
        args.addAll(List.of(more));
        return atelier(args.toArray(new String[0]));
    }

    @Test
    void countsReconcileSharesAreTheirRatiosAndReRunsAgree() throws IOException {
        Path p = prompts("prompts.json", "{\"categories\": {\"red heart\": \"google\", \"thumbs up\": \"twitter\"},"
                + " \"attributes\": {\"skin tone\": [\"thumbs up: light skin tone\", \"thumbs up: dark skin tone\","
                + " \"thumbs up: medium skin tone\"]}}");
        AtelierCliTest.Result r = fidelity(p, "a.json", "--guidance", "1,3");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("guidance 1.0   category accuracy"), r.out());
        assertTrue(r.out().contains("binding skin tone"), r.out());
        assertTrue(r.err().contains("guidance 3: prompt 5 of 5 'thumbs up: medium skin tone' (3 samples)"), r.err());

        JsonNode report = new ObjectMapper().readTree(tmp.resolve("a.json").toFile());
        assertEquals(2, report.get("results").size(), "one result per guidance value");
        for (String g : new String[]{"1", "3"}) {
            java.awt.image.BufferedImage grid = javax.imageio.ImageIO.read(tmp.resolve("a-guidance-" + g + ".png").toFile());
            assertTrue(grid.getHeight() >= 5 * 64 && grid.getHeight() < 6 * 64, "a row of 2x samples per prompt: "
                    + grid.getHeight());
            assertTrue(grid.getWidth() >= 3 * 64, "three samples per row: " + grid.getWidth());
        }
        assertEquals(2, report.get("grids").size());
        for (JsonNode ref : report.get("references")) {
            assertEquals(2, ref.get("images").asLong(), "a Noto and a Twemoji drawing of " + ref.get("prompt"));
            assertEquals(3, ref.get("rgb").size());
        }
        for (JsonNode g : report.get("results")) {
            double sum = 0;
            for (JsonNode c : g.get("categories")) {
                long total = 0;
                for (JsonNode n : c.get("predicted")) {
                    total += n.asLong();
                }
                assertEquals(3, total, "every sample classified: " + c);
                long own = c.get("predicted").path(c.get("category").asText()).asLong(0);
                assertEquals(own / 3.0, c.get("share").asDouble(), 1e-12, c.toString());
                sum += c.get("share").asDouble();
            }
            assertEquals(sum / 2, g.get("categoryAccuracy").asDouble(), 1e-12);
            JsonNode tone = g.get("binding").get(0);
            assertEquals(1.0 / 3, tone.get("chance").asDouble(), 1e-12);
            double toneSum = 0;
            for (JsonNode b : tone.get("prompts")) {
                long total = b.get("blank").asLong();
                for (JsonNode n : b.get("nearest")) {
                    total += n.asLong();
                }
                assertEquals(3, total, "every sample nearest one reference or blank: " + b);
                assertEquals(b.get("nearest").path(b.get("prompt").asText()).asLong(0) / 3.0, b.get("share").asDouble(), 1e-12);
                toneSum += b.get("share").asDouble();
            }
            assertEquals(toneSum / 3, tone.get("share").asDouble(), 1e-12);
        }

        AtelierCliTest.Result again = fidelity(p, "b.json", "--guidance", "1,3");
        assertEquals(0, again.code(), again.err());
        assertEquals(report.get("results"), new ObjectMapper().readTree(tmp.resolve("b.json").toFile()).get("results"),
                "same seed, same samples, same scores");
        AtelierCliTest.Result exists = fidelity(p, "a.json");
        assertEquals(2, exists.code(), exists.err());
        assertTrue(exists.err().contains("already exists"), exists.err());
    }

    @Test
    void promptsThatCannotBeScoredAreRefusedInOneLineWithNothingWritten() throws IOException {
        assertRefused(prompts("unknown-category.json", "{\"categories\": {\"red heart\": \"Food & Drink\"}}"),
                "categories [Food & Drink] are not classes of --classifier");
        assertRefused(prompts("no-reference.json", "{\"attributes\": {\"hearts\": [\"red heart\", \"heart\"]}}"),
                "no image of --real " + dataset + " is captioned 'heart'");
        assertRefused(prompts("unknown-word.json", "{\"categories\": {\"purple unicorn\": \"google\"}}"), "unicorn");
        assertRefused(prompts("short-group.json", "{\"attributes\": {\"hearts\": [\"red heart\"]}}"),
                "needs at least two prompts");
        assertRefused(prompts("not-json.json", "categories: red heart"), "is not a prompts file");
        AtelierCliTest.Result g = fidelity(prompts("ok.json", "{\"categories\": {\"red heart\": \"google\"}}"), "g.json",
                "--guidance", "1,x");
        assertEquals(2, g.code(), g.err());
        assertTrue(g.err().contains("--guidance 1,x: 'x' is not a guidance value"), g.err());
        assertFalse(Files.exists(tmp.resolve("g.json")));
    }

    private static void assertRefused(Path prompts, String message) {
        String out = prompts.getFileName() + ".report.json";
        AtelierCliTest.Result r = fidelity(prompts, out);
        assertEquals(2, r.code(), r.err() + r.out());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(Files.exists(tmp.resolve(out)), "nothing written for " + prompts);
    }
}
