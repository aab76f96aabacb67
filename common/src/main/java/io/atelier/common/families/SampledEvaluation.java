package io.atelier.common.families;

import io.atelier.common.train.RoundEvaluation;

/**
 * An evaluation between training rounds, handed to the training launcher before the family has
 * planned its model; the launcher completes it with the family's {@link TrainingPlan} (a
 * generator of the in-memory state for sampled FID, the model config for scores of other kinds,
 * such as a translation's).
 */
@FunctionalInterface
public interface SampledEvaluation {
    /**
     * @param plan the family's model for the dataset; its {@code generatorAt} must copy what it keeps
     *             (the state goes on training) and be deterministic in the state alone
     * @throws IllegalArgumentException in one line when the plan's model cannot be scored this way
     */
    RoundEvaluation forPlan(TrainingPlan plan);
}
