package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.io.Json;
import io.atelier.common.testdata.FashionMnistFixture;
import io.atelier.common.testdata.FashionMnistSlice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** evaluate and train-classifier as a user runs them, on the vendored Fashion-MNIST images. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class EvaluationCommandsTest {
    @TempDir
    static Path tmp;

    @Test
    void shippedClassifierScoresRealAgainstRealAtTheFloor() throws Exception {
        String data = FashionMnistFixture.dataset(SparkSessions.create("tests", "local[2]"));
        // Training itself is ClassifierTrainerTest's (common); the command only wraps it.
        Path model = Path.of(System.getProperty("atelier.repo.root"), EvaluateCommand.DEFAULT_FEATURES);
        Path report = tmp.resolve("scores.json");
        AtelierCliTest.Result eval = atelier("evaluate", "--real", data, "--fake", data, "--fake-split", "train",
                "--features", model.toString(), "--count", "600", "--reservoir", "300", "--out", report.toString(),
                "--master", "local[2]");
        assertEquals(0, eval.code(), "evaluate exit code; stderr: " + eval.err());
        assertTrue(eval.out().contains("FID / floor"), eval.out());
        JsonNode json = Json.MAPPER.readTree(Files.readAllBytes(report));
        assertTrue(json.at("/scores/fid").isNumber() && json.at("/floor/fid").isNumber(), json.toString());
        assertEquals(json.at("/definition/countPerSide").asLong(), json.at("/scores/fakeCount").asLong());
        assertEquals(64, json.at("/definition/features/sha256").asText().length(), "feature network hash recorded");
        assertEquals(28, json.at("/definition/image/size").asInt());
        // The fake side is labelled with the classifier's classes: per-class accuracy is reported.
        assertEquals(10, json.at("/fakeClassAccuracy").size(), json.toString());
        assertTrue(json.at("/fakeClassAccuracy/Trouser").asDouble() > 0.5, json.at("/fakeClassAccuracy").toString());
    }

    /** The git commit the checkout is at, or null where git or the checkout is missing. */
    private static String head() throws Exception {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD")
                    .directory(Path.of(System.getProperty("atelier.repo.root")).toFile()).redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes()).trim();
            return git.waitFor() == 0 && out.matches("[0-9a-f]{40}") ? out : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Test
    void trainClassifierRecordsItsExactCommandLineAndTheCommitItWasBuiltFrom() throws Exception {
        String data = FashionMnistSlice.write(SparkSessions.create("tests", "local[2]"), tmp.resolve("slice").toString(), 96, 32);
        String model = tmp.resolve("provenance.zip").toString();
        String[] args = {"train-classifier", "--data", data, "--out", model, "--epochs", "1", "--width", "4",
                "--batch", "16", "--averaging", "2", "--seed", "3", "--flip", "--master", "local[2]"};
        AtelierCliTest.Result r = atelier(args);
        assertEquals(0, r.code(), "train-classifier exit code; stderr: " + r.err());
        JsonNode provenance;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(model)) {
            provenance = Json.MAPPER.readTree(zip.getInputStream(zip.getEntry("atelier-classifier.json"))).path("provenance");
        }
        assertEquals(java.util.List.of(args), Json.MAPPER.convertValue(provenance.path("command"), java.util.List.class),
                "the arguments as given: " + provenance);
        String commit = provenance.path("gitCommit").asText();
        String head = head();
        // Built and tested from the same checkout, so the build's commit is the checkout's, marked
        // -dirty when files differed from it.
        assertTrue(head == null ? commit.equals("unknown") : commit.equals(head) || commit.equals(head + "-dirty"),
                "recorded " + commit + ", checkout at " + head);
    }

    @Test
    void trainClassifierRefusesBadOptionsBeforeTraining() {
        AtelierCliTest.Result r = atelier("train-classifier", "--data", tmp.toString(), "--out", tmp.resolve("m.zip").toString(),
                "--epochs", "0", "--master", "local[2]");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--epochs 0"), r.err());
        assertFalse(Files.exists(tmp.resolve("m.zip")));
    }

    @Test
    void aFakeThatIsNotADatasetIsOneLineBadInput() {
        Path report = tmp.resolve("never.json");
        AtelierCliTest.Result r = atelier("evaluate", "--real", tmp.toString(), "--fake", tmp.resolve("run").toString(),
                "--features", tmp.resolve("none.zip").toString(), "--out", report.toString(), "--master", "local[2]");
        assertEquals(2, r.code(), r.err());
        // Spark's own start-up warnings may precede it; the command says one line.
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("atelier evaluate:")).count(), r.err());
        assertTrue(r.err().contains("neither a dataset nor a train-gan or train-diffusion run"), "says what --fake must be: " + r.err());
        assertFalse(Files.exists(report));
    }
}
