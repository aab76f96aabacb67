package io.atelier.common.families;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.train.EngineConfig;

import java.io.Serializable;
import java.util.List;

/**
 * The settings every family's training job has, whatever its model: a family's settings record
 * implements this beside its own fields, so one launcher runs every family.
 */
public interface TrainingSettings extends Serializable {
    /** Dataset directory (the train split is used). */
    String data();

    /**
     * The datasets the engine loads, in order: {@link #data()} alone unless a family trains on
     * several (with several, a training row's label is its dataset's index in this list).
     */
    default List<String> inputs() {
        return List.of(data());
    }

    /** Run directory to create (or continue, with resume). */
    String out();

    boolean resume();

    int workers();

    int localSteps();

    int rounds();

    /** Images per step and worker. */
    int batch();

    long seed();

    int checkpointEvery();

    int keepCheckpoints();

    int sampleEvery();

    int sampleCount();

    /** W, K, R, the seed, and how often to sample and checkpoint. */
    default EngineConfig engine() {
        return new EngineConfig(workers(), localSteps(), rounds(), seed(), sampleEvery(), sampleCount(), checkpointEvery(),
                keepCheckpoints());
    }

    /** Checks what has no default: where the data is and where the run goes. */
    default void requirePaths() {
        if (data() == null || data().isBlank()) {
            throw new InvalidSettingException("{data}: give the dataset to train on");
        }
        if (out() == null || out().isBlank()) {
            throw new InvalidSettingException("{out}: give the run directory");
        }
    }
}
