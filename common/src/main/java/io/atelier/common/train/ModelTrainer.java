package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;
import org.nd4j.linalg.api.ndarray.INDArray;

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

    /**
     * Called on the driver once per sound round, after the workers' states are combined and before
     * the state is logged, checkpointed or sent to the next round: for state steered by statistics
     * of the whole round (StyleGAN's ADA probability from the averaged r_t). {@code metrics} are the
     * round's metrics averaged as they are logged, {@code imagesSeen} the images all workers
     * consumed this round (W x K x {@link #imagesPerStep()}). It may change tensors of
     * {@code averaged} in place and must depend only on its arguments, so resumed runs stay
     * bit-identical. Nothing by default.
     */
    default void afterAveraging(TrainingState averaged, Map<String, Double> metrics, long imagesSeen) {
    }

    /** Sample-grid images (NHWC, RGB, [-1, 1]) from the state, for fixed inputs derived from the seed. */
    float[] sampleGrid(TrainingState state, long seed, int count);

    enum Combine {
        /** The element-wise mean over workers. */
        MEAN,
        /** Worker 0's value. */
        FIRST,
        /**
         * The element-wise sum over workers, for per-worker data kept in one tensor: each worker
         * writes only its own slice and returns zeros elsewhere, so the sum is every worker's
         * slice, exactly (x + 0 = x).
         */
        SUM
    }

    /**
     * The decay of the moving averages named by {@link LocalWorker#emaSources()}, warmed up as
     * {@link LocalSteps#emaDecayAt}; unused when a family keeps none.
     */
    default double emaDecay() {
        return 0;
    }

    /**
     * The executor side of one family: its networks and buffers, and one optimizer step. The
     * engine's {@link LocalSteps} owns the loop around it (K steps, metric averages, moving
     * averages, the step counter).
     */
    interface LocalWorker {
        /** Loads {@code state} into the networks; the state's heap tensors may be used in place until unbind. */
        void bind(TrainingState state, WorkerData data);

        /**
         * One optimizer step with global index {@code step} (0-based). Every random draw must come
         * from {@link Seeds#derive} over (runSeed, round, worker, step). Fills {@code metrics} in
         * {@link ModelTrainer#metricNames()} order.
         */
        void step(long runSeed, int round, long step, double[] metrics);

        /**
         * The tensors whose exponential moving average the state keeps: the state tensor holding the
         * average, by name, to the live (dense) tensor of the current values. Read after every step.
         */
        default Map<String, INDArray> emaSources() {
            return Map.of();
        }

        /** Writes the networks' parameters back into {@code state} and keeps no reference to it. */
        void unbind(TrainingState state);
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
