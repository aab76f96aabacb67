package io.atelier.common.families;

import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.RoundEvaluation;

import java.util.function.Function;

/**
 * An evaluation between training rounds that samples the model, handed to a family's training
 * job before it knows how its model samples. The family completes it with one line:
 * <pre>{@code spec = spec.withEvaluation(evaluation.forModel(state -> FamilyState.of(config, labels, state)));}</pre>
 */
@FunctionalInterface
public interface SampledEvaluation {
    /**
     * @param generatorAt the model of a training state as a generator; must copy what it keeps
     *                    (the state goes on training) and be deterministic in the state alone
     */
    RoundEvaluation forModel(Function<TrainingState, GeneratorSource> generatorAt);
}
