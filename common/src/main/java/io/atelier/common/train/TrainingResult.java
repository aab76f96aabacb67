package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;

/**
 * The outcome of {@link AveragingEngine#train} or {@link AveragingEngine#resume}.
 *
 * @param roundsTrained rounds run by this call (0 when a resumed run had already reached its rounds)
 * @param imagesDecoded images decoded by this call: the train split once, unless a cached block was lost
 */
public record TrainingResult(TrainingState state, int roundsTrained, String runDir, String report, long imagesDecoded) {
}
