package io.atelier.common.train;

import io.atelier.common.runs.DivergedEvent;
import io.atelier.common.runs.MetricsLog;
import io.atelier.common.runs.RoundRecord;
import io.atelier.common.runs.RunDirectory;
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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The divergence guard on real local Spark, with NaN written into one worker's weights. */
class DivergenceTest {
    private static final long SEED = 11;

    @TempDir
    static Path tmp;
    private static SparkSession spark;
    private static String dataset;
    private static AveragingEngine engine;

    @BeforeAll
    static void start() throws IOException {
        spark = TestSpark.builder("local[2]").getOrCreate();
        dataset = TinyDataset.write(spark, tmp.resolve("data"), 4, 24).toString();
        engine = new AveragingEngine(spark);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static TinyLogisticTrainer trainer() {
        return new TinyLogisticTrainer(TinyDataset.INPUTS, 8, 0.02f);
    }

    /** W = 2, K = 3, samples and checkpoints every 2 rounds, all checkpoints kept. */
    private static RunSpec spec(String run, ModelTrainer trainer, int rounds) {
        EngineConfig config = EngineConfig.of(2, 3, rounds, SEED).withSamples(2, 4).withCheckpoints(2, 0);
        return new RunSpec(trainer, dataset, tmp.resolve(run).toString(), config, Map.of("model", "tiny-logistic"));
    }

    private static org.apache.hadoop.fs.Path metricsFile(String run) {
        return new org.apache.hadoop.fs.Path(tmp.resolve(run).resolve(RunDirectory.METRICS).toUri());
    }

    private static List<RoundRecord> rounds(String run) {
        return MetricsLog.read(metricsFile(run), new Configuration());
    }

    private static List<DivergedEvent> events(String run) {
        return MetricsLog.events(metricsFile(run), new Configuration());
    }

    private static List<String> deterministicPart(List<RoundRecord> records) {
        return records.stream().map(r -> r.round() + " " + r.step() + " " + r.imagesSeen() + " " + r.metrics()).toList();
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void persistentNanStopsTheRunAndLeavesTheLastGoodCheckpointIntact() throws IOException {
        TrainingState clean4 = engine.train(spec("clean-4", trainer(), 4), ProgressListener.NONE).state();

        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> engine.train(spec("nan", trainer().nanIn("persistent", 5, 1, Integer.MAX_VALUE), 6), ProgressListener.NONE));

        assertEquals("training diverged on 2 attempts: worker 1, round 5 (step 15): tensor 'w' holds NaN at index "
                + TinyLogisticTrainer.NAN_INDEX + "; the last good checkpoint (round 4) is intact: continue from it with"
                + " --resume and a lower --lr, or check the data", e.getMessage());
        assertEquals(List.of(1, 2, 3, 4), rounds("nan").stream().map(RoundRecord::round).toList(), "round 5 never completed");
        assertEquals(deterministicPart(rounds("clean-4")), deterministicPart(rounds("nan")));
        List<DivergedEvent> events = events("nan");
        assertEquals(2, events.size());
        for (int i = 0; i < 2; i++) {
            DivergedEvent ev = events.get(i);
            assertEquals(List.of(DivergedEvent.DIVERGED, 5, i + 1, 1, 15L, "w", (long) TinyLogisticTrainer.NAN_INDEX, "NaN"),
                    List.of(ev.event(), ev.round(), ev.attempt(), ev.worker(), ev.step(), ev.tensor(), ev.index(), ev.value()));
            assertNull(ev.metric());
        }
        assertEquals(List.of(DivergedEvent.RETRY, DivergedEvent.STOP), events.stream().map(DivergedEvent::action).toList());
        String line = Files.readAllLines(tmp.resolve("nan").resolve(RunDirectory.METRICS)).get(4);
        assertTrue(line.startsWith("{\"event\":\"diverged\",\"round\":5,\"attempt\":1,\"action\":\"retry\",\"worker\":1,"
                + "\"step\":15,\"tensor\":\"w\",\"index\":3,\"value\":\"NaN\""), line);

        // Nothing of the diverged round was written; the newest checkpoint is the good round 4, bit for bit.
        Path run = tmp.resolve("nan");
        assertEquals(List.of("round-0002", "round-0004"), listing(run.resolve("checkpoints")));
        assertFalse(Files.exists(run.resolve("samples").resolve("round-0005.png")));
        RunDirectory dir = RunDirectory.existing(run.toString(), new Configuration());
        assertTrue(clean4.bitIdentical(dir.checkpoints().loadLatest(w -> { }).state()));
        String report = Files.readString(run.resolve(RunDirectory.REPORT));
        assertTrue(report.contains("Stopped on divergence") && report.contains("tensor w held NaN at index 3"), report);

        // Continued with a model that behaves: the same run as one never disturbed.
        TrainingState resumed = engine.resume(spec("nan", trainer(), 6), ProgressListener.NONE).state();
        TrainingState clean6 = engine.train(spec("clean-6", trainer(), 6), ProgressListener.NONE).state();
        assertTrue(clean6.bitIdentical(resumed));
        assertEquals(2, events("nan").size(), "the events stay in the log after a resume");
        assertFalse(Files.readString(run.resolve(RunDirectory.REPORT)).contains("Stopped on divergence"));
    }

    @Test
    void transientNanIsRetriedAndTheRunIsBitIdenticalToAnUndisturbedOne() {
        TrainingState clean = engine.train(spec("clean", trainer(), 4), ProgressListener.NONE).state();

        TrainingResult retried = engine.train(spec("transient", trainer().nanIn("transient", 3, 0, 1), 4), ProgressListener.NONE);

        assertTrue(clean.bitIdentical(retried.state()), "the rejected attempt left no trace in the state");
        assertEquals(deterministicPart(rounds("clean")), deterministicPart(rounds("transient")));
        List<DivergedEvent> events = events("transient");
        assertEquals(1, events.size());
        assertEquals(List.of(3, 1, 0, "w", DivergedEvent.RETRY),
                List.of(events.get(0).round(), events.get(0).attempt(), events.get(0).worker(), events.get(0).tensor(),
                        events.get(0).action()));
    }

    @Test
    void anExplodedMetricIsRejectedEvenWithFiniteTensors() throws IOException {
        // A limit below the logistic loss (about 0.69 at the start) makes every result "explode".
        RunSpec spec = spec("exploded", trainer(), 2).withDivergence(new DivergenceGuard(1, 0.1));

        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> engine.train(spec, ProgressListener.NONE));

        assertTrue(e.getMessage().startsWith("training diverged on 1 attempt: worker 0, round 1 (step 3): metric 'loss' is 0.")
                && e.getMessage().contains("(and 1 more worker)") && e.getMessage().contains("no checkpoint was written yet"),
                e.getMessage());
        assertEquals(0, e.divergence().worker());
        List<DivergedEvent> events = events("exploded");
        assertEquals(List.of(0, 1), events.stream().map(DivergedEvent::worker).toList());
        assertTrue(events.stream().allMatch(ev -> "loss".equals(ev.metric()) && ev.tensor() == null && ev.index() == -1
                && DivergedEvent.STOP.equals(ev.action())));
        assertTrue(rounds("exploded").isEmpty());
        assertTrue(RunDirectory.existing(tmp.resolve("exploded").toString(), new Configuration()).checkpoints()
                .latestRound().isEmpty(), "no checkpoint of a rejected state");
    }

    @Test
    void theGuardRefusesSettingsThatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> new DivergenceGuard(0, 1e9));
        assertThrows(IllegalArgumentException.class, () -> new DivergenceGuard(2, Double.NaN));
    }
}
