package io.atelier.common.families;

import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;

import java.util.Map;
import java.util.function.Function;

/**
 * A family's model for one dataset, ready for the engine.
 *
 * @param trainer     the trainer (its spec is the resolved model config)
 * @param sections    what config.json records beside the settings and engine (model config, label names, ...)
 * @param generatorAt the model of an in-memory training state as a generator (for evaluation between
 *                    rounds); must copy what it keeps, since the state goes on training; null for a
 *                    model that makes no samples (one that translates images)
 */
public record TrainingPlan(ModelTrainer trainer, Map<String, Object> sections,
                           Function<TrainingState, GeneratorSource> generatorAt) {
}
