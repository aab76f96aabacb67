package io.atelier.common.runs;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a round starts from, as named flat float arrays (network parameters, optimizer
 * moments, batch-norm statistics, the EMA generator) plus counters. Plain arrays keep broadcast,
 * averaging and checkpoints independent of any network library. Insertion order is stable, so
 * iteration, checkpoints and checksums are deterministic.
 */
public final class TrainingState implements Serializable {
    private final LinkedHashMap<String, float[]> tensors;
    private long step;
    private int round;

    public TrainingState(Map<String, float[]> tensors, long step, int round) {
        this.tensors = new LinkedHashMap<>(tensors);
        this.step = step;
        this.round = round;
    }

    public Map<String, float[]> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public float[] get(String name) {
        float[] t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("training state has no tensor '" + name + "'; it has " + tensors.keySet());
        }
        return t;
    }

    public void put(String name, float[] value) {
        tensors.put(name, value);
    }

    /** Optimizer steps taken so far (the same on every worker within a round). */
    public long step() {
        return step;
    }

    public void setStep(long step) {
        this.step = step;
    }

    /** Rounds completed. */
    public int round() {
        return round;
    }

    public long parameterCount() {
        return tensors.values().stream().mapToLong(t -> t.length).sum();
    }

    /** A deep copy: workers mutate their copy, never the broadcast value. */
    public TrainingState copy() {
        LinkedHashMap<String, float[]> c = new LinkedHashMap<>();
        tensors.forEach((k, v) -> c.put(k, v.clone()));
        return new TrainingState(c, step, round);
    }

    public boolean bitIdentical(TrainingState other) {
        if (step != other.step || round != other.round || !tensors.keySet().equals(other.tensors.keySet())) {
            return false;
        }
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.tensors.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
