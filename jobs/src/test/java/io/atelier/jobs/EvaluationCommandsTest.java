package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.io.Json;
import io.atelier.common.testdata.FashionMnistFixture;
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
