package io.atelier.common.train;

import java.util.List;
import java.util.Objects;

/**
 * What to train, on what, into where.
 *
 * @param trainer     the model family's trainer (its spec is the model config)
 * @param inputs      Atelier dataset directories (Parquet shards and {@code _manifest.json}), usually one; with
 *                    several, each worker holds the train rows of all of them, labelled by input index (0, 1, ...)
 * @param runDir      the run directory, on any Hadoop FileSystem
 * @param engine      W, K, R, seed, sampling and checkpointing
 * @param config      the caller's resolved config, written as {@code config.json} (any Jackson-writable object)
 * @param evaluation  scores computed between rounds and logged with them, or null for none
 * @param divergence  when a round's result is rejected and when the run stops ({@link DivergenceGuard#DEFAULT} unless set)
 */
public record RunSpec(ModelTrainer trainer, List<String> inputs, String runDir, EngineConfig engine, Object config,
                      RoundEvaluation evaluation, DivergenceGuard divergence) {
    public RunSpec {
        Objects.requireNonNull(divergence, "divergence");
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(inputs, "inputs");
        if (inputs.isEmpty() || inputs.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("inputs: give at least one dataset path, got " + inputs);
        }
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(config, "config: pass the resolved config to record in config.json");
    }

    /** A spec without evaluation between rounds, with the default divergence guard. */
    public RunSpec(ModelTrainer trainer, List<String> inputs, String runDir, EngineConfig engine, Object config) {
        this(trainer, inputs, runDir, engine, config, null, DivergenceGuard.DEFAULT);
    }

    /** A spec of one dataset, without evaluation between rounds, with the default divergence guard. */
    public RunSpec(ModelTrainer trainer, String datasetPath, String runDir, EngineConfig engine, Object config) {
        this(trainer, List.of(Objects.requireNonNull(datasetPath, "datasetPath")), runDir, engine, config);
    }

    /** The first (usually only) input: its manifest gives the geometry of every input. */
    public String datasetPath() {
        return inputs.get(0);
    }

    public RunSpec withEngine(EngineConfig newEngine) {
        return new RunSpec(trainer, inputs, runDir, newEngine, config, evaluation, divergence);
    }

    public RunSpec withDivergence(DivergenceGuard newDivergence) {
        return new RunSpec(trainer, inputs, runDir, engine, config, evaluation, newDivergence);
    }

    /** Runs {@code evaluator} after every {@code every}-th round and the last; see {@link RoundEvaluator}. */
    public RunSpec withEvaluation(int every, RoundEvaluator evaluator) {
        return withEvaluation(new RoundEvaluation(every, evaluator));
    }

    public RunSpec withEvaluation(RoundEvaluation newEvaluation) {
        return new RunSpec(trainer, inputs, runDir, engine, config, newEvaluation, divergence);
    }
}
