package io.atelier.common.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atelier.common.Versions;
import io.atelier.common.data.DatasetLayout;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import io.atelier.common.io.Sha256;
import io.atelier.common.runs.CheckpointMeta;
import io.atelier.common.runs.Checkpoints;
import io.atelier.common.runs.DivergedEvent;
import io.atelier.common.runs.MetricsLog;
import io.atelier.common.runs.RoundRecord;
import io.atelier.common.runs.RunDirectory;
import io.atelier.common.runs.RunReport;
import io.atelier.common.runs.SampleGrids;
import io.atelier.common.runs.TrainingState;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains any {@link ModelTrainer} by parameter averaging on Spark, into a {@link RunDirectory}.
 *
 * <p>The driver holds the {@link TrainingState}. Each round it broadcasts the state; each of the
 * W workers (one partition of the cached data, see {@link WorkerGroup}) copies it, takes K local
 * steps with random streams from (seed, round, worker, step), and returns its state; the driver
 * replaces the state with the element-wise mean of every tensor, in a fixed tree order so the
 * result does not depend on which worker finished first ({@link TreeMean}).
 *
 * <p>What is averaged, and why: every tensor, unless the trainer says {@code FIRST}. Parameters,
 * because that is parameter averaging. Adam's first and second moments, because each worker's
 * moments estimate the same gradient statistics from different data; averaging them keeps the
 * next round's step sizes consistent with the averaged parameters, where resetting them would
 * restart Adam's warm-up every round. Batch-norm running statistics, because each worker saw a
 * different sample of activations and their mean is the better population estimate. The EMA copy
 * of a generator, because an EMA is linear in its inputs: the mean of the workers' EMAs is the
 * EMA of the mean trajectory. Counters that must stay equal (Adam's step) are the engine's, not
 * tensors. Metrics (losses, ...) are averaged over workers as plain means. After the mean the
 * trainer may steer its state from the round's metrics ({@link ModelTrainer#afterAveraging}).
 *
 * <p>Same config, seed and W give bit-identical states, whether run at once, resumed from a
 * checkpoint, or with tasks retried after failures.
 *
 * <p>A worker whose state holds NaN or an infinity after its K steps, or whose metrics are
 * non-finite or explode, is not averaged: the round is logged as rejected (a {@code diverged}
 * event in {@code metrics.jsonl}) and computed again from the same state with the same seed, and
 * after {@link DivergenceGuard#maxAttempts()} rejected attempts the run stops with
 * {@link TrainingDivergedException}, its checkpoints untouched. See {@link DivergenceGuard}.
 *
 * <p>A spec may carry a {@link RoundEvaluation}: after the rounds it names, its
 * {@link RoundEvaluator} scores the state on the driver (it may run Spark jobs of its own) and
 * its metrics join the round's line of {@code metrics.jsonl}. It reads the state and never changes
 * it, so parameters are the same with or without it.
 */
public final class AveragingEngine {
    private static final Logger LOG = LoggerFactory.getLogger(AveragingEngine.class);
    /** Purpose tag for the sample-grid stream: the same inputs after every round. */
    static final long SAMPLE_STREAM = 0x53414D504C45L;
    /** The key of config.json under which a run with evaluation records its settings. */
    public static final String CONFIG_EVALUATION = "evaluation";
    private static final int ETA_WINDOW = 10;

    private final SparkSession spark;

    public AveragingEngine(SparkSession spark) {
        this.spark = spark;
    }

    /** Starts a new run; refuses a run directory that already holds anything. */
    public TrainingResult train(RunSpec spec, ProgressListener progress) {
        Configuration conf = conf();
        List<ImageDataset> inputs = openInputs(spec);
        RunDirectory dir = RunDirectory.createNew(spec.runDir(), conf);
        TrainingState state = spec.trainer().initialState(spec.engine().seed());
        if (state.round() != 0 || state.step() != 0) {
            throw new IllegalStateException(spec.trainer().getClass().getName() + ".initialState returned round " + state.round()
                    + ", step " + state.step() + "; a run starts at round 0, step 0");
        }
        writeConfig(dir, spec);
        return run(spec, inputs, dir, state, MetricsLog.start(dir.metrics(), conf), progress);
    }

    /**
     * Continues a run from its latest complete checkpoint up to {@code spec.engine().rounds()}.
     * The checkpoint's checksums must pass, and seed, W, K, model and dataset must match it.
     */
    public TrainingResult resume(RunSpec spec, ProgressListener progress) {
        Configuration conf = conf();
        List<ImageDataset> inputs = openInputs(spec);
        RunDirectory dir = RunDirectory.existing(spec.runDir(), conf);
        Checkpoints checkpoints = dir.checkpoints();
        if (checkpoints.latestRound().isEmpty()) {
            throw new IllegalStateException("run directory " + spec.runDir()
                    + " has no complete checkpoint to resume from; start it again as a new run in an empty directory");
        }
        // A damaged newest checkpoint is moved aside with a warning and the one before it used.
        Checkpoints.Checkpoint cp = checkpoints.loadLatest(LOG::warn);
        int round = cp.state().round();
        checkResumable(spec, cp, manifestShas(inputs, conf));
        checkpoints.removeUnfinished();
        // Grids of rounds after the checkpoint belong to lost work; the resumed rounds redraw theirs.
        dir.samples().tailMap(round, false).values().forEach(p -> HadoopFiles.deleteRecursively(p, conf));
        writeConfig(dir, spec);
        LOG.info("resuming {} from round {} (step {})", spec.runDir(), round, cp.state().step());
        return run(spec, inputs, dir, cp.state(), MetricsLog.resume(dir.metrics(), conf, round), progress);
    }

    private TrainingResult run(RunSpec spec, List<ImageDataset> inputs, RunDirectory dir, TrainingState start,
                               MetricsLog log, ProgressListener progress) {
        EngineConfig cfg = spec.engine();
        ModelTrainer trainer = spec.trainer();
        if (start.round() >= cfg.rounds()) {
            Path report = RunReport.write(dir, trainer.metricNames());
            return new TrainingResult(start, 0, spec.runDir(), report.toString(), 0);
        }
        List<String> manifestShas = manifestShas(inputs, conf());
        TrainingState state = start;
        Deque<Double> recent = new ArrayDeque<>();
        long decoded;
        try (WorkerGroup group = WorkerGroup.load(spark, trainer, inputs, cfg.workers())) {
            LOG.info("training {} on {} train images, {} workers x {} steps, rounds {} to {}", trainer.getClass().getSimpleName(),
                    group.trainImages(), cfg.workers(), cfg.localSteps(), state.round() + 1, cfg.rounds());
            int attempt = 0;
            while (state.round() < cfg.rounds()) {
                RoundResult result = group.runRound(state, cfg.localSteps(), cfg.seed(), spec.divergence().metricLimit());
                if (result.diverged()) {
                    // Not averaged; the same state and seed again (see DivergenceGuard for why the same seed).
                    attempt++;
                    rejected(spec, dir, log, result.divergences(), attempt);
                    continue;
                }
                attempt = 0;
                state = result.state();
                int round = state.round();
                boolean last = round == cfg.rounds();
                Map<String, Double> scores = Map.of();
                double evaluationSeconds = 0;
                RoundEvaluation evaluation = spec.evaluation();
                if (evaluation != null && evaluation.due(round, cfg.rounds())) {
                    long t0 = System.nanoTime();
                    scores = evaluation.evaluator().evaluate(state);
                    evaluationSeconds = (System.nanoTime() - t0) / 1e9;
                }
                RoundRecord record = record(result, cfg.workers(), cfg.localSteps(), trainer.imagesPerStep(),
                        scores, evaluationSeconds);
                log.append(record);
                String sample = round % cfg.sampleEvery() == 0 || last
                        ? writeSample(spec, inputs.get(0).manifest(), dir, state) : null;
                String checkpoint = round % cfg.checkpointEvery() == 0 || last
                        ? writeCheckpoint(spec, dir, state, manifestShas) : null;
                progress.onRound(new RoundProgress(round, cfg.rounds(), state.step(), record.metrics(), record.imagesPerSecond(),
                        result.roundSeconds(), result.overheadShare(), eta(recent, result.roundSeconds(), cfg.rounds() - round),
                        checkpoint, sample, evaluationSeconds));
            }
            decoded = group.imagesDecoded();
        }
        return new TrainingResult(state, state.round() - start.round(), spec.runDir(), dir.report().toString(), decoded);
    }

    /**
     * Logs a rejected attempt (one warning, one event line per diverged worker) and, on the last
     * attempt the guard allows, stops the run: the report is refreshed and the checkpoints, all of
     * good states, stay as they are.
     */
    private static void rejected(RunSpec spec, RunDirectory dir, MetricsLog log, java.util.List<Divergence> divergences,
                                 int attempt) {
        int maxAttempts = spec.divergence().maxAttempts();
        boolean stop = attempt >= maxAttempts;
        String time = Instant.now().toString();
        for (Divergence d : divergences) {
            boolean tensor = Divergence.TENSOR.equals(d.what());
            log.append(new DivergedEvent(DivergedEvent.DIVERGED, d.round(), attempt, stop ? DivergedEvent.STOP : DivergedEvent.RETRY,
                    d.worker(), d.step(), tensor ? d.name() : null, d.index(), tensor ? null : d.name(), d.value(), time));
        }
        Divergence first = divergences.get(0);
        int more = divergences.size() - 1;
        String others = more > 0 ? " (and " + more + " more worker" + (more == 1 ? "" : "s") + ")" : "";
        if (!stop) {
            LOG.warn("rejected attempt {} of round {}, not averaged: {}{}; computing the round again from the last good state",
                    attempt, first.round(), first.describe(), others);
            return;
        }
        RunReport.write(dir, spec.trainer().metricNames());
        java.util.OptionalInt good = dir.checkpoints().latestRound();
        String what = good.isPresent()
                ? "the last good checkpoint (round " + good.getAsInt() + ") is intact: continue from it with --resume and"
                : "no checkpoint was written yet: start again in an empty directory with";
        throw new TrainingDivergedException("training diverged on " + attempt + " attempt" + (attempt == 1 ? "" : "s") + ": "
                + first.describe() + others + "; " + what + " a lower --lr, or check the data", first);
    }

    /** The grid for fixed inputs (same seed every round), so grids of a run compare round to round. */
    private static String writeSample(RunSpec spec, Manifest manifest, RunDirectory dir, TrainingState state) {
        EngineConfig cfg = spec.engine();
        float[] images = spec.trainer().sampleGrid(state, Seeds.derive(cfg.seed(), SAMPLE_STREAM), cfg.sampleCount());
        Path path = dir.sample(state.round());
        HadoopFiles.writeAtomically(path, SampleGrids.png(images, manifest.channels(), manifest.height(), manifest.width()),
                dir.conf());
        return path.toString();
    }

    /** Checkpoint, prune the old ones, and refresh the report: a report never runs ahead of a checkpoint. */
    private static String writeCheckpoint(RunSpec spec, RunDirectory dir, TrainingState state, List<String> manifestShas) {
        Checkpoints checkpoints = dir.checkpoints();
        Path written = checkpoints.write(state, meta(spec, state, manifestShas));
        checkpoints.prune(spec.engine().keepCheckpoints());
        RunReport.write(dir, spec.trainer().metricNames());
        return written.toString();
    }

    /** Remaining rounds at the mean pace of the last {@link #ETA_WINDOW} rounds. */
    private static Duration eta(Deque<Double> recent, double lastRoundSeconds, int roundsLeft) {
        recent.addLast(lastRoundSeconds);
        if (recent.size() > ETA_WINDOW) {
            recent.removeFirst();
        }
        double pace = recent.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return Duration.ofSeconds(Math.round(pace * roundsLeft));
    }

    /** Every input, checked before any data moves: enough shards, train rows, one geometry. */
    private List<ImageDataset> openInputs(RunSpec spec) {
        List<ImageDataset> inputs = new ArrayList<>();
        for (String path : spec.inputs()) {
            ImageDataset dataset = ImageDataset.open(spark, path);
            Manifest m = dataset.manifest();
            int workers = spec.engine().workers();
            if (m.shards() < workers) {
                throw new IllegalArgumentException("dataset " + path + " has " + m.shards() + " shards, fewer than the "
                        + workers + " workers asked for: use at most " + m.shards() + " workers, or re-ingest with more shards");
            }
            if (m.count(DatasetSchema.TRAIN) == 0) {
                throw new IllegalArgumentException("dataset " + path + " has no train rows");
            }
            inputs.add(dataset);
        }
        TrainingInputs.requireSameGeometry(inputs);
        return inputs;
    }

    private void checkResumable(RunSpec spec, Checkpoints.Checkpoint cp, List<String> manifestShas) {
        CheckpointMeta meta = cp.meta();
        EngineConfig cfg = spec.engine();
        String where = "cannot resume " + spec.runDir() + " from " + cp.dir().getName() + ": ";
        String why = "; seed, workers, localSteps, model and dataset must match to continue the same run";
        mustMatch(where, why, "seed", meta.seed(), cfg.seed());
        mustMatch(where, why, "workers", meta.workers(), cfg.workers());
        mustMatch(where, why, "localSteps", meta.localSteps(), cfg.localSteps());
        mustMatch(where, why, "model", meta.trainer(), spec.trainer().getClass().getName());
        if (meta.inputs() == null && manifestShas.size() == 1) {
            mustMatch(where, why, "dataset manifest sha256", meta.datasetManifestSha256(), manifestShas.get(0));
        } else {
            List<String> saved = meta.inputs() == null ? List.of(meta.datasetManifestSha256())
                    : meta.inputs().stream().map(CheckpointMeta.Input::manifestSha256).toList();
            mustMatch(where, why, "dataset manifest sha256s", saved, manifestShas);
        }
        Map<String, Integer> expected = CheckpointMeta.sizes(spec.trainer().initialState(cfg.seed()));
        mustMatch(where, why, "tensors (name=size)", CheckpointMeta.sizes(cp.state()), expected);
    }

    private static void mustMatch(String where, String why, String what, Object saved, Object asked) {
        if (!saved.equals(asked)) {
            throw new IllegalArgumentException(where + "it was trained with " + what + " " + saved + ", this run has " + asked + why);
        }
    }

    private static CheckpointMeta meta(RunSpec spec, TrainingState state, List<String> manifestShas) {
        EngineConfig cfg = spec.engine();
        List<CheckpointMeta.Input> inputs = null;
        if (spec.inputs().size() > 1) {
            inputs = new ArrayList<>();
            for (int i = 0; i < spec.inputs().size(); i++) {
                inputs.add(new CheckpointMeta.Input(spec.inputs().get(i), manifestShas.get(i)));
            }
        }
        return new CheckpointMeta(CheckpointMeta.FORMAT, state.round(), state.step(), cfg.seed(), cfg.workers(),
                cfg.localSteps(), spec.trainer().getClass().getName(), spec.datasetPath(), manifestShas.get(0),
                CheckpointMeta.sizes(state), Versions.all(), Instant.now().toString(), inputs);
    }

    /** The caller's config, plus an {@code evaluation} section with the evaluator's settings when there is one. */
    private static void writeConfig(RunDirectory dir, RunSpec spec) {
        Object config = spec.config();
        if (spec.evaluation() != null) {
            JsonNode tree = Json.MAPPER.valueToTree(config);
            if (!(tree instanceof ObjectNode object)) {
                throw new IllegalArgumentException("a run with evaluation needs a config that is a JSON object, got " + tree);
            }
            object.set(CONFIG_EVALUATION, Json.MAPPER.valueToTree(spec.evaluation().settings()));
            config = object;
        }
        HadoopFiles.writeAtomically(dir.config(), Json.pretty(config).getBytes(StandardCharsets.UTF_8), dir.conf());
    }

    private static List<String> manifestShas(List<ImageDataset> inputs, Configuration conf) {
        return inputs.stream()
                .map(d -> Sha256.of(HadoopFiles.readAll(new Path(d.path(), DatasetLayout.MANIFEST), conf)))
                .toList();
    }

    /** @param scores the evaluator's metrics for this round (empty when none ran), logged beside the workers' */
    private static RoundRecord record(RoundResult r, int workers, int localSteps, int imagesPerStep, Map<String, Double> scores,
                          double evaluationSeconds) {
        TrainingState s = r.state();
        double perSecond = r.roundSeconds() > 0 ? 1 / r.roundSeconds() : 0;
        Map<String, Double> metrics = new LinkedHashMap<>(r.metrics());
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            if (metrics.putIfAbsent(e.getKey(), e.getValue()) != null) {
                throw new IllegalStateException("the round evaluator's metric '" + e.getKey()
                        + "' has the name of a training metric; rename it");
            }
        }
        return new RoundRecord(s.round(), s.step(), s.step() * workers * imagesPerStep, metrics,
                r.roundSeconds(), r.computeSeconds(), r.broadcastSeconds(), r.overheadSeconds(), r.overheadShare(),
                (double) workers * localSteps * imagesPerStep * perSecond, (double) localSteps * perSecond,
                evaluationSeconds, Instant.now().toString(), r.devices());
    }

    private Configuration conf() {
        return spark.sparkContext().hadoopConfiguration();
    }
}
