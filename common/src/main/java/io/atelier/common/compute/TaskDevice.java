package io.atelier.common.compute;

import java.io.Serializable;
import java.util.List;

/**
 * Where one task computed, as recorded in training metrics and map-job summaries.
 *
 * @param executor Spark's executor id ({@code driver} in local mode or outside a task)
 * @param gpus     the GPU addresses Spark assigned the task; empty when it had none
 * @param bound    whether ND4J's device was set to the first of them (false on the CPU backend)
 * @param threads  the native threads the task used
 */
public record TaskDevice(String executor, List<String> gpus, boolean bound, int threads) implements Serializable {
    static final String DRIVER = "driver";

    public TaskDevice {
        gpus = List.copyOf(gpus);
    }

    /** One phrase: {@code gpu 0}, {@code gpu 0 assigned, not bound: CPU backend, 2 threads} or {@code cpu, 2 threads}. */
    public String describe() {
        String t = threads + (threads == 1 ? " thread" : " threads");
        if (gpus.isEmpty()) {
            return "cpu, " + t;
        }
        String g = "gpu " + String.join(",", gpus);
        return bound ? g : g + " assigned, not bound: CPU backend, " + t;
    }

    /** {@code executor 1: gpu 0}: the form summaries list. */
    @Override
    public String toString() {
        return "executor " + executor + ": " + describe();
    }
}
