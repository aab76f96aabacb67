package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;

import java.io.Serializable;
import java.util.Map;

/**
 * What one worker sends back after a round: its advanced state, its metrics, its timings, and
 * the device it computed on ({@link io.atelier.common.compute.TaskDevice#toString()}).
 */
record WorkerResult(int worker, TrainingState state, Map<String, Double> metrics,
                    long computeNanos, long broadcastNanos, String device) implements Serializable {
}
