package io.atelier.common.train;

import java.util.Objects;

/**
 * What to train, on what, into where.
 *
 * @param trainer     the model family's trainer (its spec is the model config)
 * @param datasetPath an Atelier dataset directory (Parquet shards and {@code _manifest.json})
 * @param runDir      the run directory, on any Hadoop FileSystem
 * @param engine      W, K, R, seed, sampling and checkpointing
 * @param config      the caller's resolved config, written as {@code config.json} (any Jackson-writable object)
 * @param evaluation  scores computed between rounds and logged with them, or null for none
 * @param divergence  when a round's result is rejected and when the run stops ({@link DivergenceGuard#DEFAULT} unless set)
 */
public record RunSpec(ModelTrainer trainer, String datasetPath, String runDir, EngineConfig engine, Object config,
                      RoundEvaluation evaluation, DivergenceGuard divergence) {
    public RunSpec {
        Objects.requireNonNull(divergence, "divergence");
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(datasetPath, "datasetPath");
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(config, "config: pass the resolved config to record in config.json");
    }

    /** A spec without evaluation between rounds, with the default divergence guard. */
    public RunSpec(ModelTrainer trainer, String datasetPath, String runDir, EngineConfig engine, Object config) {
        this(trainer, datasetPath, runDir, engine, config, null, DivergenceGuard.DEFAULT);
    }

    public RunSpec withEngine(EngineConfig newEngine) {
        return new RunSpec(trainer, datasetPath, runDir, newEngine, config, evaluation, divergence);
    }

    public RunSpec withDivergence(DivergenceGuard newDivergence) {
        return new RunSpec(trainer, datasetPath, runDir, engine, config, evaluation, newDivergence);
    }

    /** Runs {@code evaluator} after every {@code every}-th round and the last; see {@link RoundEvaluator}. */
    public RunSpec withEvaluation(int every, RoundEvaluator evaluator) {
        return withEvaluation(new RoundEvaluation(every, evaluator));
    }

    public RunSpec withEvaluation(RoundEvaluation newEvaluation) {
        return new RunSpec(trainer, datasetPath, runDir, engine, config, newEvaluation, divergence);
    }
}
