package io.atelier.common.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.io.Json;
import io.atelier.common.testdata.FashionMnistFixture;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The evaluate job as a library call, without the command line. */
class EvaluateJobTest {
    static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("evaluate-job-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static EvaluateSettings settings(String real, String fake, String features, String out) {
        EvaluateSettings d = EvaluateSettings.DEFAULTS;
        return new EvaluateSettings(real, fake, null, d.classifier(), features, d.split(), "train", 400, d.seed(), 200, out);
    }

    @Test
    void realAgainstRealWithTheShippedClassifierReportsScoresAndPerClassAccuracy() throws IOException {
        String data = FashionMnistFixture.dataset(spark);
        String classifier = System.getProperty("atelier.repo.root") + "/" + FeatureChoice.DEFAULT;
        Path out = tmp.resolve("scores.json");
        List<String> log = new ArrayList<>();
        EvaluateJob.Result r = new EvaluateJob(spark).run(settings(data, data, classifier, out.toString()), log::add);
        assertEquals(data, r.fakeDataset(), "a dataset is scored as it is");
        assertTrue(log.isEmpty(), "nothing generated: " + log);
        assertNotNull(r.fakeClassAccuracy(), "the samples carry the classifier's labels");
        assertTrue(r.fakeClassAccuracy() > 0.7, "real images are mostly classified as labelled: " + r.fakeClassAccuracy());
        JsonNode json = Json.MAPPER.readTree(Files.readAllBytes(out));
        assertEquals(r.report().scores().fid(), json.at("/scores/fid").asDouble(), 1e-9, "the report written is the one returned");
        assertEquals(400, json.at("/definition/countPerSide").asLong());
        assertEquals(10, json.at("/fakeClassAccuracy").size());
    }

    @Test
    void anExistingReportIsRefusedBeforeAnyWork() throws IOException {
        Path out = Files.writeString(tmp.resolve("old.json"), "{}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EvaluateJob(spark)
                .run(settings("real", "fake", FeatureChoice.DEFAULT, out.toString()), line -> { }));
        assertTrue(e.getMessage().startsWith("out " + out + " already exists"), e.getMessage());
        assertEquals("{}", Files.readString(out), "kept as it was");
    }

    @Test
    void aFakeThatIsNeitherADatasetNorARunIsNamed() {
        Path nothing = tmp.resolve("nothing");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EvaluateJob(spark)
                .run(settings("real", nothing.toString(), FeatureChoice.DEFAULT, tmp.resolve("r.json").toString()), line -> { }));
        assertTrue(e.getMessage().contains("fake " + nothing + " is neither a dataset nor"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("r.json")));
    }

    @Test
    void aMissingFeatureNetworkSaysWhatToUseInstead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureChoice.load(spark, "{features}", tmp.resolve("none.zip").toString()));
        assertTrue(e.getMessage().startsWith("features " + tmp.resolve("none.zip") + " does not exist; train one with `atelier train-classifier`, or use mobilenet_v2"),
                e.getMessage());
    }

    @Test
    void evalDataWithoutEvalEveryIsRefused() {
        TrainingEvaluation asked = new TrainingEvaluation(null, "real", 100, 1L, FeatureChoice.DEFAULT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> asked.evaluation(spark, "train", line -> { }));
        assertEquals("evalData needs evalEvery N", e.getMessage());
        assertEquals(null, new TrainingEvaluation(null, null, 100, 1L, FeatureChoice.DEFAULT)
                .evaluation(spark, "train", line -> { }), "no evaluation asked");
    }
}
