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
 */
public record RunSpec(ModelTrainer trainer, String datasetPath, String runDir, EngineConfig engine, Object config,
                      RoundEvaluation evaluation) {
    public RunSpec {
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(datasetPath, "datasetPath");
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(config, "config: pass the resolved config to record in config.json");
    }

    /** A spec without evaluation between rounds. */
    public RunSpec(ModelTrainer trainer, String datasetPath, String runDir, EngineConfig engine, Object config) {
        this(trainer, datasetPath, runDir, engine, config, null);
    }

    public RunSpec withEngine(EngineConfig newEngine) {
        return new RunSpec(trainer, datasetPath, runDir, newEngine, config, evaluation);
    }

    /** Runs {@code evaluator} after every {@code every}-th round and the last; see {@link RoundEvaluator}. */
    public RunSpec withEvaluation(int every, RoundEvaluator evaluator) {
        return withEvaluation(new RoundEvaluation(every, evaluator));
    }

    public RunSpec withEvaluation(RoundEvaluation newEvaluation) {
        return new RunSpec(trainer, datasetPath, runDir, engine, config, newEvaluation);
    }
}
