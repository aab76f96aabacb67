package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;

import java.io.Serializable;
import java.util.Map;

/**
 * Why one worker's result of a round was rejected: the first non-finite value in its state (in
 * state order), or else the first metric that is non-finite or beyond the guard's limit.
 *
 * @param worker the worker
 * @param round  the round it was computing (1-based: the round the state would have reached)
 * @param step   the worker's step counter after its K steps
 * @param what   {@code tensor} or {@code metric}
 * @param name   the tensor's or metric's name
 * @param index  the first bad element of the tensor; -1 for a metric
 * @param value  the bad value as Java prints it ({@code NaN}, {@code Infinity}, {@code 3.1E9}); JSON has no NaN
 */
public record Divergence(int worker, int round, long step, String what, String name, long index, String value)
        implements Serializable {

    public static final String TENSOR = "tensor";
    public static final String METRIC = "metric";

    /** The first reason to reject a worker's result, or null when its state and metrics are sound. */
    static Divergence check(int worker, int round, TrainingState state, Map<String, Double> metrics, double metricLimit) {
        for (Map.Entry<String, float[]> t : state.tensors().entrySet()) {
            float[] values = t.getValue();
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    return new Divergence(worker, round, state.step(), TENSOR, t.getKey(), i, Float.toString(values[i]));
                }
            }
        }
        for (Map.Entry<String, Double> m : metrics.entrySet()) {
            double v = m.getValue();
            if (!Double.isFinite(v) || Math.abs(v) > metricLimit) {
                return new Divergence(worker, round, state.step(), METRIC, m.getKey(), -1, Double.toString(v));
            }
        }
        return null;
    }

    /** "worker 1, round 5 (step 15): tensor 'w' holds NaN at index 3". */
    public String describe() {
        return "worker " + worker + ", round " + round + " (step " + step + "): " + (TENSOR.equals(what)
                ? "tensor '" + name + "' holds " + value + " at index " + index
                : "metric '" + name + "' is " + value);
    }
}
