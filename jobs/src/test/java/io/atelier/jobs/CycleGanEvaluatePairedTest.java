package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** evaluate on a CycleGAN run of the emoji pair: the translation scored against its ground truth, the image of the same name. */
@ExtendWith(StopSparkAfterAll.class)
class CycleGanEvaluatePairedTest {
    @TempDir
    static Path tmp;

    @Test
    void aDatasetSplitByNameGetsPairedL1sAgainstTheTargetImageOfTheSameName() throws IOException {
        Path images = Path.of(System.getProperty("atelier.repo.root"), "data", "emoji-sample", "images");
        String dataset = tmp.resolve("emoji-16").toString();
        AtelierCliTest.Result ingest = atelier("ingest", "--input", images.toString(), "--output", dataset, "--size", "16",
                "--split-by", "name", "--test-fraction", "0.25", "--shards", "2", "--master", "local[2]");
        assertEquals(0, ingest.code(), ingest.err());
        String run = tmp.resolve("run").toString();
        AtelierCliTest.Result train = atelier("train-gan", "--model", "cyclegan", "--data", dataset, "--out", run,
                "--domain-a", "google", "--domain-b", "twitter", "--generator-width", "4", "--discriminator-width",
                "4", "--residual-blocks", "1", "--batch", "2", "--local-steps", "2", "--pool-size", "2", "--rounds", "1",
                "--sample-every", "1", "--sample-count", "2", "--master", "local[2]");
        assertEquals(0, train.code(), train.err() + train.out());
        Path report = tmp.resolve("a2b.json");
        AtelierCliTest.Result r = atelier("evaluate", "--real", dataset, "--fake", run, "--features", "random",
                "--classifier", "random", "--out", report.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("paired: ") && r.out().contains("untranslated x"), r.out());

        // Independently: the test images by file name on each side, and |x - y| from the stored bytes.
        SparkSession spark = SparkSessions.create("tests", "local[2]");
        Map<String, SparkImage> google = new HashMap<>();
        Map<String, SparkImage> twitter = new HashMap<>();
        for (Row row : ImageDataset.open(spark, dataset).rows(spark).where(col(DatasetSchema.SPLIT).equalTo(DatasetSchema.TEST))
                .select(DatasetSchema.IMAGE, DatasetSchema.LABEL_NAME).collectAsList()) {
            SparkImage image = SparkImage.fromRow(row.getStruct(0));
            String name = image.origin().substring(image.origin().lastIndexOf('/') + 1);
            ("google".equals(row.getString(1)) ? google : twitter).put(name, image);
        }
        long pairs = google.keySet().stream().filter(twitter::containsKey).count();
        assertTrue(pairs >= 2 && pairs < google.size() + twitter.size(), pairs + " pairs of " + google.keySet());
        double sum = 0;
        long values = 0;
        for (Map.Entry<String, SparkImage> x : google.entrySet()) {
            SparkImage y = twitter.get(x.getKey());
            if (y == null) {
                continue;
            }
            for (int i = 0; i < y.data().length; i++) {
                sum += Math.abs((x.getValue().data()[i] & 0xFF) - (y.data()[i] & 0xFF)) / 255.0;
            }
            values += y.data().length;
        }

        JsonNode paired = Json.MAPPER.readTree(Files.readAllBytes(report)).at("/paired");
        assertEquals(pairs, paired.at("/pairs").asLong(), paired.toString());
        assertEquals(sum / values, paired.at("/identityL1").asDouble(-1), 1e-6, "mean |x - y| per pixel from the bytes");
        for (String l1 : new String[]{"translatedL1", "identityL1", "nearestTrainL1"}) {
            double v = paired.at("/" + l1).asDouble(-1);
            assertTrue(paired.at("/" + l1).isNumber() && v >= 0 && v <= 1, l1 + " in " + paired);
        }
        assertNotEquals(paired.at("/identityL1").asDouble(), paired.at("/translatedL1").asDouble(), paired.toString());
        // The gain per pair averages to the difference of the means (every image has the same size).
        JsonNode gain = paired.at("/gainOverIdentity");
        double mean = gain.at("/mean").asDouble(-9);
        assertEquals(paired.at("/identityL1").asDouble() - paired.at("/translatedL1").asDouble(), mean, 1e-9, gain.toString());
        assertTrue(gain.at("/ci95/0").asDouble(9) < mean && mean < gain.at("/ci95/1").asDouble(-9), gain.toString());
        double improved = gain.at("/shareOfPairs").asDouble(-1) * pairs;
        assertEquals(Math.round(improved), improved, 1e-9, "a share of the " + pairs + " pairs: " + gain);
        assertTrue(r.out().contains("translated closer to y than x by "), r.out());
        Manifest m = ImageDataset.open(dataset, new Configuration()).manifest();
        long twitterTrain = m.counts().perLabel().get(String.valueOf(m.labelNames().indexOf("twitter"))).get(DatasetSchema.TRAIN);
        assertEquals(twitterTrain, paired.at("/trainImages").asLong(), "every train image of the target domain searched");
        assertTrue(paired.at("/nearestTrainSkipped").isMissingNode(), paired.toString());

        // --count caps the source sample, so the pairs too.
        Path capped = tmp.resolve("capped.json");
        AtelierCliTest.Result c = atelier("evaluate", "--real", dataset, "--fake", run, "--features", "random",
                "--classifier", "random", "--count", "2", "--out", capped.toString(), "--master", "local[2]");
        assertEquals(0, c.code(), c.err() + c.out());
        assertTrue(Json.MAPPER.readTree(Files.readAllBytes(capped)).at("/paired/pairs").asLong(99) <= 2, c.out());
    }
}
