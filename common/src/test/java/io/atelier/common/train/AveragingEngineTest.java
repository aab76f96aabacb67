package io.atelier.common.train;

import io.atelier.common.runs.Checkpoints;
import io.atelier.common.runs.MetricsLog;
import io.atelier.common.runs.RoundRecord;
import io.atelier.common.runs.RunDirectory;
import io.atelier.common.runs.RunReport;
import io.atelier.common.runs.TrainingState;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine end to end on real Spark: {@code local[2,3]} (2 cores, a task may fail 3 times). */
class AveragingEngineTest {
    private static final int SHARDS = 4;
    private static final int PER_SHARD = 24;
    private static final int BATCH = 8;
    private static final long SEED = 7;

    @TempDir
    static Path tmp;
    private static SparkSession spark;
    private static String dataset;
    private static AveragingEngine engine;

    @BeforeAll
    static void start() throws IOException {
        spark = TestSpark.builder("local[2,3]").getOrCreate();
        dataset = TinyDataset.write(spark, tmp.resolve("data"), SHARDS, PER_SHARD).toString();
        engine = new AveragingEngine(spark);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static TinyLogisticTrainer trainer() {
        return new TinyLogisticTrainer(TinyDataset.INPUTS, BATCH, 0.02f);
    }

    /** W = 2, K = 3, samples and checkpoints every 2 rounds, all checkpoints kept. */
    private static EngineConfig config(int rounds) {
        return EngineConfig.of(2, 3, rounds, SEED).withSamples(2, 4).withCheckpoints(2, 0);
    }

    private static RunSpec spec(String run, ModelTrainer trainer, EngineConfig config) {
        return new RunSpec(trainer, dataset, tmp.resolve(run).toString(),
                config, Map.of("model", "tiny-logistic", "configMarker", "marker-" + run, "rounds", config.rounds()));
    }

    private static List<RoundRecord> metrics(String run) {
        return MetricsLog.read(new org.apache.hadoop.fs.Path(tmp.resolve(run).resolve(RunDirectory.METRICS).toUri()),
                new Configuration());
    }

    @Test
    void twoWorkerRunLearnsAndWritesItsRunDirectory() throws IOException {
        List<RoundProgress> progress = new ArrayList<>();
        TrainingResult result = engine.train(spec("learns", trainer(), config(8)), progress::add);

        List<RoundRecord> records = metrics("learns");
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), records.stream().map(RoundRecord::round).toList());
        double early = (records.get(0).metrics().get("loss") + records.get(1).metrics().get("loss")) / 2;
        double late = (records.get(6).metrics().get("loss") + records.get(7).metrics().get("loss")) / 2;
        assertTrue(late < 0.7 * early, "loss should fall over rounds: first two " + early + ", last two " + late);

        assertEquals(8, result.state().round());
        assertEquals(8 * 3, result.state().step());
        assertEquals(8L * 3 * 2 * BATCH, records.get(7).imagesSeen(), "rounds x K x W x batch");
        assertTrue(records.get(7).imagesPerSecond() > 0);
        assertEquals((long) SHARDS * TinyDataset.trainPerShard(PER_SHARD), result.imagesDecoded(),
                "the train split is decoded once for the whole run");

        assertEquals(8, progress.size());
        assertEquals(8, progress.get(7).round());
        assertTrue(progress.get(7).describe().startsWith("round 8/8  accuracy"), progress.get(7).describe());
        assertTrue(progress.get(1).checkpoint() != null && progress.get(0).checkpoint() == null);

        Path run = tmp.resolve("learns");
        assertTrue(Files.readString(run.resolve(RunDirectory.CONFIG)).contains("marker-learns"));
        for (int r : List.of(2, 4, 6, 8)) {
            assertTrue(Files.isRegularFile(run.resolve("samples").resolve(String.format("round-%04d.png", r))), "sample " + r);
            assertTrue(Files.isRegularFile(run.resolve("checkpoints").resolve(String.format("round-%04d", r)).resolve("_COMPLETE")));
        }
        assertFalse(Files.exists(run.resolve("samples").resolve("round-0001.png")));
    }

    @Test
    void reportIsOneSelfContainedPage() throws IOException {
        engine.train(spec("report", trainer(), config(4)), ProgressListener.NONE);
        String html = Files.readString(tmp.resolve("report").resolve(RunDirectory.REPORT));

        List<String> sources = new ArrayList<>();
        Matcher m = Pattern.compile("src=\"([^\"]*)\"").matcher(html);
        while (m.find()) {
            sources.add(m.group(1));
        }
        // 2 metric charts (loss, accuracy) + 3 timing charts + sample grids of rounds 2 and 4
        assertEquals(7, sources.size(), "embedded images");
        for (String src : sources) {
            assertTrue(src.startsWith("data:image/png;base64,"), "not embedded: " + src.substring(0, Math.min(60, src.length())));
            byte[] png = Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1));
            assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        }
        for (String external : List.of("http:", "https:", "<script", "<link", "href=", "url(")) {
            assertFalse(html.contains(external), "report refers to something outside itself: " + external);
        }
        assertTrue(html.indexOf("alt=\"loss\"") < html.indexOf("alt=\"accuracy\""), "charts follow the trainer's metricNames()");
        assertTrue(html.contains("marker-report"), "the config is in the report");
        assertTrue(html.contains("round 4"), "sample captions");
    }

    @Test
    void sameSeedGivesBitIdenticalStateAndOtherSeedDoesNot() {
        TrainingState a = engine.train(spec("same-a", trainer(), config(3)), ProgressListener.NONE).state();
        TrainingState b = engine.train(spec("same-b", trainer(), config(3)), ProgressListener.NONE).state();
        assertTrue(a.bitIdentical(b), "two runs with the same seed and W must agree bit for bit");
        assertEquals(deterministicPart(metrics("same-a")), deterministicPart(metrics("same-b")));

        EngineConfig otherSeed = new EngineConfig(2, 3, 3, SEED + 1, 2, 4, 2, 0);
        TrainingState c = engine.train(spec("same-c", trainer(), otherSeed), ProgressListener.NONE).state();
        assertFalse(a.bitIdentical(c), "a different seed must change the state");
    }

    @Test
    void resumeEqualsUninterruptedRun() throws IOException {
        TrainingState whole = engine.train(spec("whole", trainer(), config(6)), ProgressListener.NONE).state();

        engine.train(spec("split", trainer(), config(3)), ProgressListener.NONE);
        TrainingResult resumed = engine.resume(spec("split", trainer(), config(6)), ProgressListener.NONE);

        assertEquals(3, resumed.roundsTrained());
        assertTrue(whole.bitIdentical(resumed.state()), "train 6 == train 3 + resume to 6");
        assertEquals(deterministicPart(metrics("whole")), deterministicPart(metrics("split")));
        for (int r : List.of(2, 4, 6)) {
            String name = String.format("samples/round-%04d.png", r);
            assertArrayEquals(Files.readAllBytes(tmp.resolve("whole").resolve(name)),
                    Files.readAllBytes(tmp.resolve("split").resolve(name)), name);
        }
        assertTrue(Files.readString(tmp.resolve("split").resolve(RunDirectory.CONFIG)).contains("\"rounds\" : 6"),
                "config.json is the config of the resumed run");
    }

    /** Scores a state by the sum of its tensors (after a Spark job of its own, as FID would run). */
    private static final class SumEvaluator implements RoundEvaluator {
        final List<Integer> rounds = new ArrayList<>();

        @Override
        public Map<String, Double> evaluate(TrainingState state) {
            rounds.add(state.round());
            double sum = spark.range(4).count() - 4;
            for (float[] t : state.tensors().values()) {
                for (float v : t) {
                    sum += v;
                }
            }
            return Map.of("score", sum, "score" + RunReport.FLOOR_SUFFIX, 0.25);
        }

        @Override
        public Map<String, Object> settings() {
            return Map.of("what", "sum-of-tensors");
        }
    }

    @Test
    void evaluationJoinsTheRoundsItNamesAndResumesToTheSameParametersAndScores() throws IOException {
        TrainingState plain = engine.train(spec("no-eval", trainer(), config(6)), ProgressListener.NONE).state();
        SumEvaluator wholeEval = new SumEvaluator();
        List<RoundProgress> progress = new ArrayList<>();
        TrainingState whole = engine.train(spec("eval-whole", trainer(), config(6)).withEvaluation(3, wholeEval),
                progress::add).state();

        assertTrue(plain.bitIdentical(whole), "evaluation must not change training");
        assertEquals(List.of(3, 6), wholeEval.rounds, "every 3rd round and the last");
        List<RoundRecord> records = metrics("eval-whole");
        for (RoundRecord r : records) {
            assertEquals(r.round() % 3 == 0, r.metrics().containsKey("score"), "round " + r.round() + ": " + r.metrics());
            assertEquals(r.round() % 3 == 0, r.evaluationSeconds() > 0, "evaluation time of round " + r.round());
            assertTrue(r.metrics().containsKey("loss"), "the workers' metrics stay");
        }
        assertTrue(progress.get(2).describe().contains("score") && progress.get(2).describe().contains("evaluated in"),
                progress.get(2).describe());
        String config = Files.readString(tmp.resolve("eval-whole").resolve(RunDirectory.CONFIG));
        assertTrue(config.contains("\"evaluation\"") && config.contains("sum-of-tensors") && config.contains("marker-eval-whole"),
                config);
        String html = Files.readString(tmp.resolve("eval-whole").resolve(RunDirectory.REPORT));
        assertTrue(html.contains("alt=\"score (dashed: floor 0.2500)\""), "the floor is the score chart's reference line");
        assertFalse(html.contains("alt=\"score_floor"), "the floor gets no chart of its own");

        // Stop after round 4 (evaluated as the last round), resume to 6 with evaluation.
        SumEvaluator firstEval = new SumEvaluator();
        engine.train(spec("eval-split", trainer(), config(4)).withEvaluation(3, firstEval), ProgressListener.NONE);
        SumEvaluator resumedEval = new SumEvaluator();
        TrainingState resumed = engine.resume(spec("eval-split", trainer(), config(6)).withEvaluation(3, resumedEval),
                ProgressListener.NONE).state();
        assertEquals(List.of(3, 4), firstEval.rounds);
        assertEquals(List.of(6), resumedEval.rounds);
        assertTrue(whole.bitIdentical(resumed), "train 4 + resume to 6, evaluating, == train 6");
        List<RoundRecord> split = metrics("eval-split");
        for (int round : List.of(3, 6)) {
            assertEquals(records.get(round - 1).metrics(), split.get(round - 1).metrics(), "round " + round);
        }
    }

    @Test
    void resumeAfterACrashContinuesFromTheLastCompleteCheckpoint() throws IOException {
        TrainingState whole = engine.train(spec("whole-crash", trainer(), config(6)), ProgressListener.NONE).state();

        // round 5's checkpoint was renamed into place but the process died before its marker
        engine.train(spec("crashed", trainer(), config(5)), ProgressListener.NONE);
        Path cp5 = tmp.resolve("crashed").resolve("checkpoints").resolve("round-0005");
        Files.delete(cp5.resolve(Checkpoints.COMPLETE));
        Files.deleteIfExists(cp5.resolve("." + Checkpoints.COMPLETE + ".crc"));

        TrainingResult resumed = engine.resume(spec("crashed", trainer(), config(6)), ProgressListener.NONE);
        assertEquals(2, resumed.roundsTrained(), "resumed from round 4");
        assertTrue(whole.bitIdentical(resumed.state()));
        assertEquals(List.of(1, 2, 3, 4, 5, 6), metrics("crashed").stream().map(RoundRecord::round).toList(),
                "round 5's first metrics line is replaced, not duplicated");
        assertEquals(deterministicPart(metrics("whole-crash")), deterministicPart(metrics("crashed")));
        assertEquals(listing(tmp.resolve("whole-crash").resolve("samples")), listing(tmp.resolve("crashed").resolve("samples")),
                "round 5's grid (the crashed run's last) is gone; the resumed run drew 6");
        assertEquals(List.of("round-0002", "round-0004", "round-0006"), listing(cp5.getParent()));
    }

    @Test
    void retriedTaskGivesTheSameResult() {
        assertEquals("local[2,3]", spark.sparkContext().master(), "retries need maxFailures > 1");
        TrainingState clean = engine.train(spec("no-failure", trainer(), config(3)), ProgressListener.NONE).state();

        int before = TinyLogisticTrainer.INJECTED_FAILURES.get();
        TrainingState retried = engine.train(spec("with-failure", trainer().failingOnce(1, 1), config(3)),
                ProgressListener.NONE).state();

        assertEquals(before + 1, TinyLogisticTrainer.INJECTED_FAILURES.get(), "the failure was injected once");
        assertTrue(clean.bitIdentical(retried), "a retried task must recompute exactly the same state");
    }

    @Test
    void corruptedCheckpointIsRefusedNamingTheFile() throws IOException {
        engine.train(spec("corrupt", trainer(), config(2)), ProgressListener.NONE);
        Path state = tmp.resolve("corrupt").resolve("checkpoints").resolve("round-0002").resolve(Checkpoints.STATE);
        byte[] bytes = Files.readAllBytes(state);
        bytes[bytes.length - 1] ^= 1;
        Files.write(state, bytes);
        Files.delete(state.resolveSibling("." + Checkpoints.STATE + ".crc"));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> engine.resume(spec("corrupt", trainer(), config(4)), ProgressListener.NONE));
        assertTrue(e.getMessage().contains("checkpoints/round-0002/state.bin") && e.getMessage().contains("SHA-256"),
                e.getMessage());
        assertEquals(2, metrics("corrupt").size(), "nothing was trained or rewritten");
    }

    @Test
    void aDamagedNewestCheckpointIsSkippedAndTheResumedRunEqualsTheUninterruptedOne() throws IOException {
        TrainingState whole = engine.train(spec("whole-damaged", trainer(), config(6)), ProgressListener.NONE).state();
        engine.train(spec("damaged", trainer(), config(4)), ProgressListener.NONE);
        Path state = tmp.resolve("damaged").resolve("checkpoints").resolve("round-0004").resolve(Checkpoints.STATE);
        byte[] bytes = Files.readAllBytes(state);
        bytes[bytes.length - 1] ^= 1;
        Files.write(state, bytes); // its .crc stays: the file system's checksum catches it first

        TrainingResult resumed = engine.resume(spec("damaged", trainer(), config(6)), ProgressListener.NONE);

        assertEquals(4, resumed.roundsTrained(), "resumed from round 2, the newest checkpoint that verifies");
        assertTrue(whole.bitIdentical(resumed.state()), "rounds 3 and 4 redone exactly");
        assertEquals(List.of("round-0002", "round-0004", "round-0004.damaged", "round-0006"),
                listing(state.getParent().getParent()));
    }

    @Test
    void newRunIntoANonEmptyDirectoryIsRefusedAndNothingIsOverwritten() throws IOException {
        engine.train(spec("taken", trainer(), config(2)), ProgressListener.NONE);
        Path run = tmp.resolve("taken");
        Map<Path, byte[]> before = snapshot(run);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> engine.train(spec("taken", trainer(), config(4)), ProgressListener.NONE));
        assertTrue(e.getMessage().contains(run.toString()) && e.getMessage().contains("not empty"), e.getMessage());
        assertEquals(before.keySet(), snapshot(run).keySet());
        before.forEach((file, bytes) -> assertArrayEquals(bytes, read(file), file.toString()));

        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        assertThrows(IllegalArgumentException.class, () -> engine.train(spec("foreign", trainer(), config(1)), ProgressListener.NONE));
        assertEquals(List.of(foreign.resolve("notes.txt")), List.copyOf(snapshot(foreign).keySet()));
    }

    @Test
    void resumeWithDifferentWorkersIsRefused() {
        engine.train(spec("mismatch", trainer(), config(2)), ProgressListener.NONE);
        EngineConfig oneWorker = new EngineConfig(1, 3, 4, SEED, 2, 4, 2, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> engine.resume(spec("mismatch", trainer(), oneWorker), ProgressListener.NONE));
        assertTrue(e.getMessage().contains("workers 2, this run has 1"), e.getMessage());
    }

    /** What must repeat exactly: rounds, steps, images seen and the workers' metrics (not timings). */
    private static List<String> deterministicPart(List<RoundRecord> records) {
        return records.stream().map(r -> r.round() + " " + r.step() + " " + r.imagesSeen() + " " + r.metrics()).toList();
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static Map<Path, byte[]> snapshot(Path dir) throws IOException {
        Map<Path, byte[]> files = new java.util.TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(f -> files.put(f, read(f)));
        }
        return files;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
