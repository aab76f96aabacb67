package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;

import java.util.Map;

/**
 * Scores the training state between rounds, on the driver (for example FID of samples drawn from
 * it). The engine calls it after every round that {@link RoundEvaluation#due} names and merges
 * the returned metrics into that round's {@code metrics.jsonl} line, so they are charted in the
 * report like the training metrics.
 *
 * <p>Rules that keep training reproducible: never modify the state (it is the one the next round
 * starts from), and draw randomness only from fixed seeds of the evaluator's own, never from the
 * training streams; then a run with evaluation has the same parameters as one without, and a
 * resumed run recomputes the same scores. A metric {@code NAME_floor} next to {@code NAME} is
 * drawn in the report as a horizontal reference line on the chart of {@code NAME}.
 */
public interface RoundEvaluator {
    /** Metrics of {@code state} after round {@code state.round()}; names must differ from the trainer's. */
    Map<String, Double> evaluate(TrainingState state);

    /** What defines the scores (data, sample count, seed, feature network); recorded in config.json. */
    Map<String, Object> settings();
}
