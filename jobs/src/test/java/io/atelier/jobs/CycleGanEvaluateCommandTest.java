package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.classify.ClassAccuracy;
import io.atelier.common.classify.ClassifierFeatures;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.families.cyclegan.CycleGanRun;
import io.atelier.common.families.cyclegan.CycleGanTranslator;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** evaluate --fake on a CycleGAN run: the translation scored, end to end on real Spark and real files. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class CycleGanEvaluateCommandTest {
    @TempDir
    static Path tmp;
    static String dataset;
    static String run;

    @BeforeAll
    static void trainTinyRun() throws IOException {
        Path photos = tmp.resolve("bars");
        SplittableRandom rng = new SplittableRandom(5);
        for (int c = 0; c < GanCommandsTest.CLASSES.length; c++) {
            Files.createDirectories(photos.resolve(GanCommandsTest.CLASSES[c]));
            for (int i = 0; i < 40; i++) {
                ImageIO.write(GanCommandsTest.bar(c, rng), "png",
                        photos.resolve(GanCommandsTest.CLASSES[c]).resolve(i + ".png").toFile());
            }
        }
        dataset = tmp.resolve("bars-ds").toString();
        AtelierCliTest.Result ingest = atelier("ingest", "--input", photos.toString(), "--output", dataset, "--size", "28",
                "--channels", "1", "--shards", "2", "--test-fraction", "0.25", "--master", "local[2]");
        assertEquals(0, ingest.code(), ingest.err());
        run = tmp.resolve("run").toString();
        AtelierCliTest.Result train = atelier("train-gan", "--model", "cyclegan", "--data", dataset, "--out", run,
                "--domain-a", "bar-top", "--domain-b", "bar-bottom", "--generator-width", "4", "--discriminator-width",
                "4", "--residual-blocks", "1", "--batch", "2", "--local-steps", "2", "--pool-size", "2", "--rounds", "1",
                "--sample-every", "1", "--sample-count", "2", "--master", "local[2]");
        assertEquals(0, train.code(), train.err() + train.out());
    }

    /** Test images of one label, from the manifest's counts. */
    private static long testImages(String label) {
        Manifest m = ImageDataset.open(dataset, new Configuration()).manifest();
        int index = m.labelNames().indexOf(label);
        return m.counts().perLabel().get(String.valueOf(index)).get(DatasetSchema.TEST);
    }

    /** The cycle error of a domain's test images, from the translator directly (one chunk, on the driver). */
    private static double cycleL1(CycleGanTranslator.Direction direction, String label) {
        SparkSession spark = SparkSessions.create("tests", "local[2]");
        List<SparkImage> images = ImageDataset.open(spark, dataset).rows(spark)
                .where(col(DatasetSchema.SPLIT).equalTo(DatasetSchema.TEST).and(col(DatasetSchema.LABEL_NAME).equalTo(label)))
                .select(DatasetSchema.IMAGE).collectAsList().stream().map(r -> SparkImage.fromRow(r.getStruct(0))).toList();
        float[] x = HostArrays.toArray(PixelAdapter.toNhwc(images));
        float[] triplets = CycleGanRun.open(run, new Configuration()).translator(images.size()).triplets(x, direction);
        int size = x.length / images.size();
        double sum = 0;
        for (int i = 0; i < images.size(); i++) {
            for (int p = 0; p < size; p++) {
                sum += Math.abs(triplets[(3 * i + 2) * size + p] - x[i * size + p]) / 2;
            }
        }
        return sum / x.length;
    }

    private static String shippedClassifier() {
        return Path.of(System.getProperty("atelier.repo.root"), EvaluateCommand.DEFAULT_FEATURES).toString();
    }

    @Test
    void scoresTheTranslationAndSaysWhyAClassifierOfOtherLabelsIsSkipped() throws IOException {
        Path report = tmp.resolve("a2b.json");
        // The shipped classifier knows Fashion-MNIST's labels, not the bars': its share is skipped.
        AtelierCliTest.Result r = atelier("evaluate", "--real", dataset, "--fake", run, "--features", "random",
                "--classifier", shippedClassifier(), "--out", report.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("target share skipped: the classifier does not know the target domain's label(s) "
                + "[bar-bottom]"), r.out());
        assertTrue(r.out().contains("cycle L1 |F(G(x)) - x|"), r.out());

        JsonNode json = Json.MAPPER.readTree(Files.readAllBytes(report));
        assertEquals("a2b", json.at("/direction").asText());
        assertEquals("bar-top", json.at("/sourceDomain/0").asText());
        assertEquals(testImages("bar-top"), json.at("/sourceCount").asLong(), "every test image of domain A translated");
        assertEquals(testImages("bar-bottom"), json.at("/targetCount").asLong());
        assertEquals(cycleL1(CycleGanTranslator.Direction.A_TO_B, "bar-top"), json.at("/cycleL1").asDouble(-1), 1e-5,
                "mean |F(G(x)) - x| / 2 as the translator's own triplets give it");
        for (String fid : new String[]{"/fid/translated", "/fid/untranslated", "/fid/floor"}) {
            assertTrue(json.at(fid).isNumber() && json.at(fid).asDouble() >= 0, fid + " in " + json.at("/fid"));
        }
        assertEquals(testImages("bar-bottom"), json.at("/fid/floorCounts/0").asLong() + json.at("/fid/floorCounts/1").asLong(),
                "the floor's halves make up the target images");
        // Bars at the top and at the bottom differ: the untranslated images are far from the target.
        assertTrue(json.at("/fid/untranslated").asDouble() > json.at("/fid/floor").asDouble(), json.at("/fid").toString());
        assertTrue(json.at("/targetShare").isMissingNode(), json.toString());
        assertTrue(json.at("/targetShareSkipped").asText().contains("bar-bottom"), json.toString());
        assertEquals("cyclegan", json.at("/definition/run/family").asText(), json.at("/definition/run").toString());
        assertEquals(64, json.at("/definition/real/manifestSha256").asText().length());
        // Split by content, as Fashion-MNIST is: equal file names on both sides are no pairs, and nothing is said of them.
        assertTrue(json.at("/paired").isMissingNode() && json.at("/definition/paired").isMissingNode(), json.toString());
        assertFalse(r.out().contains("paired:"), r.out());
    }

    @Test
    void aClassifierOfTheDatasetsLabelsGivesTheTargetShareBesideBaselineAndCeiling() throws IOException {
        String classifier = tmp.resolve("bars-classifier.zip").toString();
        AtelierCliTest.Result trained = atelier("train-classifier", "--data", dataset, "--out", classifier, "--epochs",
                "1", "--width", "4", "--batch", "16", "--averaging", "2", "--seed", "3", "--master", "local[2]");
        assertEquals(0, trained.code(), trained.err());
        Path report = tmp.resolve("b2a.json");
        AtelierCliTest.Result r = atelier("evaluate", "--real", dataset, "--fake", run, "--direction", "b2a",
                "--features", "random", "--classifier", classifier, "--out", report.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err() + r.out());

        JsonNode json = Json.MAPPER.readTree(Files.readAllBytes(report));
        assertEquals("b2a", json.at("/direction").asText());
        assertEquals(testImages("bar-bottom"), json.at("/sourceCount").asLong(), "every test image of domain B translated");
        for (String share : new String[]{"translated", "untranslated", "realTarget"}) {
            double v = json.at("/targetShare/" + share).asDouble(-1);
            assertTrue(v >= 0 && v <= 1, share + " share " + v);
        }
        assertTrue(json.at("/targetShareSkipped").isMissingNode(), json.toString());
        // A classifier that tells the domains apart: real target images read as the target more often than the source.
        assertTrue(json.at("/targetShare/realTarget").asDouble() > json.at("/targetShare/untranslated").asDouble(),
                json.at("/targetShare").toString());
        // The ceiling is the classifier's accuracy on the target domain's real images, as ClassAccuracy counts it.
        SparkSession spark = SparkSessions.create("tests", "local[2]");
        ClassifierFeatures loaded = ClassifierFeatures.load(classifier, new Configuration());
        ClassAccuracy.Counts counts = ClassAccuracy.of(ImageDataset.open(spark, dataset).rows(spark)
                .where(col(DatasetSchema.SPLIT).equalTo(DatasetSchema.TEST)), loaded, 16);
        assertEquals(counts.perClass().get("bar-top"), json.at("/targetShare/realTarget").asDouble(), 1e-12);
        // The baseline counts bottom bars read as top bars: at most those not read as bottom bars.
        assertTrue(json.at("/targetShare/untranslated").asDouble() <= 1 - counts.perClass().get("bar-bottom") + 1e-12,
                json.at("/targetShare").toString());
        assertTrue(r.out().contains("untranslated x (baseline)"), r.out());
        assertEquals(64, json.at("/definition/classifier/sha256").asText().length());
    }

    @Test
    void countCapsBothDomainsAndTooFewTargetImagesOmitTheFloor() throws IOException {
        Path report = tmp.resolve("three.json");
        AtelierCliTest.Result r = atelier("evaluate", "--real", dataset, "--fake", run, "--count", "3", "--features",
                "random", "--classifier", "random", "--out", report.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("floor omitted: too few target images"), r.out());
        assertTrue(r.out().contains("--classifier random is a feature network, not a classifier file"), r.out());
        JsonNode json = Json.MAPPER.readTree(Files.readAllBytes(report));
        assertEquals(3, json.at("/sourceCount").asLong());
        assertEquals(3, json.at("/targetCount").asLong());
        assertTrue(json.at("/fid/translated").isNumber() && json.at("/fid/floor").isMissingNode(), json.at("/fid").toString());
    }

    @Test
    void aBadDirectionOrADirectionForADatasetIsOneLineBadInput() {
        Path report = tmp.resolve("never.json");
        AtelierCliTest.Result bad = atelier("evaluate", "--real", dataset, "--fake", run, "--direction", "xyz",
                "--out", report.toString(), "--master", "local[2]");
        assertEquals(2, bad.code(), bad.err());
        assertEquals(1, bad.err().lines().filter(l -> l.startsWith("atelier evaluate:")).count(), bad.err());
        assertTrue(bad.err().contains("--direction xyz: use a2b or b2a"), bad.err());

        AtelierCliTest.Result notCycleGan = atelier("evaluate", "--real", dataset, "--fake", dataset, "--direction", "a2b",
                "--features", "random", "--out", report.toString(), "--master", "local[2]");
        assertEquals(2, notCycleGan.code(), notCycleGan.err());
        assertEquals(1, notCycleGan.err().lines().filter(l -> l.startsWith("atelier evaluate:")).count(), notCycleGan.err());
        assertTrue(notCycleGan.err().contains("--fake " + dataset + " is a dataset, not a CycleGAN run; leave --direction off"),
                notCycleGan.err());
        assertFalse(Files.exists(report));

        AtelierCliTest.Result help = atelier("evaluate", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--direction=a2b|b2a") && help.out().contains("--classifier=MODEL"), help.out());
    }

    @Test
    void aRunOfTwoDatasetsIsScoredOnItsOwnDatasetsAndRefusesAnotherReal() throws IOException {
        // Each domain a dataset of its own: the top bars and the bottom bars ingested apart.
        String[] domains = new String[2];
        for (int d = 0; d < 2; d++) {
            String label = GanCommandsTest.CLASSES[d];
            domains[d] = tmp.resolve(label + "-only").toString();
            AtelierCliTest.Result ingest = atelier("ingest", "--input", tmp.resolve("bars").resolve(label).toString(),
                    "--output", domains[d], "--size", "28", "--channels", "1", "--shards", "2", "--test-fraction", "0.25",
                    "--master", "local[2]");
            assertEquals(0, ingest.code(), ingest.err());
        }
        String twoRun = tmp.resolve("two-run").toString();
        AtelierCliTest.Result train = atelier("train-gan", "--model", "cyclegan", "--data-a", domains[0], "--data-b",
                domains[1], "--out", twoRun, "--generator-width", "4", "--discriminator-width", "4", "--residual-blocks",
                "1", "--batch", "2", "--local-steps", "1", "--pool-size", "2", "--rounds", "1", "--sample-every", "1",
                "--sample-count", "2", "--master", "local[2]");
        assertEquals(0, train.code(), train.err() + train.out());

        Path report = tmp.resolve("two-b2a.json");
        AtelierCliTest.Result r = atelier("evaluate", "--fake", twoRun, "--direction", "b2a", "--features", "random",
                "--classifier", "random", "--out", report.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err() + r.out());
        JsonNode json = Json.MAPPER.readTree(Files.readAllBytes(report));
        Configuration conf = new Configuration();
        long testB = ImageDataset.open(domains[1], conf).manifest().count(DatasetSchema.TEST);
        long testA = ImageDataset.open(domains[0], conf).manifest().count(DatasetSchema.TEST);
        assertEquals(testB, json.at("/sourceCount").asLong(), "every test image of --data-b translated");
        assertEquals(testA, json.at("/targetCount").asLong(), "against every test image of --data-a");
        assertEquals(domains[1], json.at("/definition/sourceDataset/path").asText(), json.at("/definition").toString());
        assertEquals(domains[0], json.at("/definition/targetDataset/path").asText());
        assertTrue(json.at("/definition/real").isMissingNode(), json.at("/definition").toString());
        assertTrue(json.at("/fid/untranslated").asDouble() > json.at("/fid/floor").asDouble(), json.at("/fid").toString());

        Path never = tmp.resolve("two-never.json");
        AtelierCliTest.Result other = atelier("evaluate", "--real", dataset, "--fake", twoRun, "--features", "random",
                "--out", never.toString(), "--master", "local[2]");
        assertEquals(2, other.code(), other.err());
        assertEquals(1, other.err().lines().filter(l -> l.startsWith("atelier evaluate:")).count(), other.err());
        assertTrue(other.err().contains("was trained on two datasets (--data-a " + domains[0] + ", --data-b " + domains[1]
                + ") and is scored on them; leave --real off"), other.err());
        AtelierCliTest.Result noReal = atelier("evaluate", "--fake", run, "--features", "random", "--out", never.toString(),
                "--master", "local[2]");
        assertEquals(2, noReal.code(), noReal.err());
        assertTrue(noReal.err().contains("--real: give the real dataset to compare --fake " + run + " with"), noReal.err());
        assertFalse(Files.exists(never));
    }

    @Test
    void scoresBetweenRoundsAreEvaluatesScoresOfThatRoundAndLeaveTrainingUnchanged() throws IOException {
        // The fixture run's settings, with translation scores after its one round.
        String scored = tmp.resolve("scored-run").toString();
        AtelierCliTest.Result train = atelier("train-gan", "--model", "cyclegan", "--data", dataset, "--out", scored,
                "--domain-a", "bar-top", "--domain-b", "bar-bottom", "--generator-width", "4", "--discriminator-width",
                "4", "--residual-blocks", "1", "--batch", "2", "--local-steps", "2", "--pool-size", "2", "--rounds", "1",
                "--sample-every", "1", "--sample-count", "2", "--eval-every", "1", "--eval-features", "random",
                "--master", "local[2]");
        assertEquals(0, train.code(), train.err() + train.out());
        assertEquals(CycleGanRun.open(run, new Configuration()).checkpointSha256(),
                CycleGanRun.open(scored, new Configuration()).checkpointSha256(), "scoring reads the state only");

        JsonNode metrics = Json.MAPPER.readTree(Files.readAllLines(Path.of(scored, "metrics.jsonl")).get(0)).at("/metrics");
        for (String d : new String[]{"a2b", "b2a"}) {
            assertTrue(metrics.at("/fid_" + d).isNumber() && metrics.at("/fid_" + d + "_floor").asDouble(-1) >= 0,
                    metrics.toString());
            Path report = tmp.resolve("scored-" + d + ".json");
            AtelierCliTest.Result r = atelier("evaluate", "--real", dataset, "--fake", scored, "--direction", d,
                    "--features", "random", "--classifier", "random", "--count", "1000", "--seed", "42",
                    "--out", report.toString(), "--master", "local[2]");
            assertEquals(0, r.code(), r.err() + r.out());
            JsonNode json = Json.MAPPER.readTree(Files.readAllBytes(report));
            double fid = json.at("/fid/translated").asDouble();
            assertEquals(fid, metrics.at("/fid_" + d).asDouble(), 1e-6 * Math.max(1, fid), d + ": " + metrics);
            assertEquals(json.at("/cycleL1").asDouble(), metrics.at("/cycle_l1_" + d).asDouble(), 1e-9, d);
        }
        JsonNode config = Json.MAPPER.readTree(Files.readAllBytes(Path.of(scored, "config.json")));
        assertEquals(1, config.at("/evaluation/every").asInt(), config.at("/evaluation").toString());
        assertTrue(Files.readString(Path.of(scored, "report.html")).contains("alt=\"fid_a2b (dashed: floor"),
                "the report charts each direction's FID over its floor");
    }
}
