package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;

import java.io.Serializable;
import java.util.Map;

/**
 * What one worker sends back after a round: its advanced state, its metrics, its timings, the
 * device it computed on ({@link io.atelier.common.compute.TaskDevice#toString()}), and why its
 * result must not be averaged ({@code divergence}; null when it is sound).
 */
record WorkerResult(int worker, TrainingState state, Map<String, Double> metrics,
                    long computeNanos, long broadcastNanos, String device, Divergence divergence) implements Serializable {
}
