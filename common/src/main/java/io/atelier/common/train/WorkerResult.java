package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;

import java.io.Serializable;
import java.util.Map;

/** What one worker sends back after a round: its advanced state, its metrics, and its timings. */
record WorkerResult(int worker, TrainingState state, Map<String, Double> metrics,
                    long computeNanos, long broadcastNanos) implements Serializable {
}
