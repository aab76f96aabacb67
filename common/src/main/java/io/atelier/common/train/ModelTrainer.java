package io.atelier.common.train;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What a model family gives the averaging engine. The spec is serialisable and small (it is the
 * resolved config); {@link #newWorker} runs on an executor, builds the networks once, and the
 * engine reuses that worker across rounds in the same JVM.
 */
public interface ModelTrainer extends Serializable {

    /** The state before round 0, fully determined by the seed. */
    TrainingState initialState(long seed);

    /** Built once per executor JVM and run: holds networks, workspaces and buffers. */
    LocalWorker newWorker();

    /**
     * How a tensor is combined across workers. Everything is averaged by default (parameters,
     * Adam moments, batch-norm statistics, the EMA copy); a family may override.
     */
    default Combine combine(String tensorName) {
        return Combine.MEAN;
    }

    /** Sample-grid images (NCHW, [-1, 1]) from the state, for fixed inputs derived from the seed. */
    float[] sampleGrid(TrainingState state, long seed, int count);

    enum Combine { MEAN, FIRST }

    /** The executor side: K local steps from a state on the worker's cached data. */
    interface LocalWorker {
        /**
         * Advances {@code state} in place by {@code steps} optimizer steps. Every random draw
         * must come from {@link Seeds#derive} over (runSeed, round, worker, step). Returns the
         * metrics of the round, averaged over its steps (losses, gradient norms, ...).
         */
        Map<String, Double> train(TrainingState state, WorkerData data, int steps, long runSeed, int round);
    }

    /**
     * Images one worker consumes per optimizer step (its minibatch; for a GAN, the real images per
     * step), so the engine can report images/s and images seen. 0 when unknown: the engine then
     * reports steps only.
     */
    default int imagesPerStep() {
        return 0;
    }

    /** What a training row's label is to this family's workers; the class index unless overridden. */
    default RowLabeler rowLabeler() {
        return RowLabeler.CLASS;
    }

    /** The metric names this family reports, in display order (for reports). */
    default List<String> metricNames() {
        return List.of();
    }
}
