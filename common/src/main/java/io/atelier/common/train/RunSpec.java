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
 */
public record RunSpec(ModelTrainer trainer, String datasetPath, String runDir, EngineConfig engine, Object config) {
    public RunSpec {
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(datasetPath, "datasetPath");
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(config, "config: pass the resolved config to record in config.json");
    }

    public RunSpec withEngine(EngineConfig newEngine) {
        return new RunSpec(trainer, datasetPath, runDir, newEngine, config);
    }
}
