package io.atelier.common.classify;

import io.atelier.common.train.Seeds;
import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeds ND4J's random generator before each minibatch a dl4j-spark worker fits, from (run seed,
 * the averaging round's first iteration, worker, step). Dropout draws its masks from that
 * generator, which is one per thread: a worker rebuilt from parameters never seeds it, so it
 * would carry on from whatever the pooled executor thread drew before, or from the clock.
 *
 * <p>Each task deserialises its own copy, so the step counter starts at 0 for every worker and
 * round, and a retried task draws the same masks. The round is told apart by the iteration count
 * the driver broadcasts with the parameters (it grows by the averaging frequency every round).
 */
final class WorkerSeeds implements TrainingHook {
    private static final long serialVersionUID = 1L;

    private final long seed;
    private long roundStart = -1;
    private int step;

    WorkerSeeds(long seed) {
        this.seed = seed;
    }

    /** The seed of one worker's step in the round that starts at {@code iteration}. */
    static long of(long seed, long iteration, int worker, int step) {
        return Seeds.derive(seed, iteration, worker, step);
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        if (roundStart < 0) {
            roundStart = ((MultiLayerNetwork) model).getIterationCount();
        }
        Nd4j.getRandom().setSeed(of(seed, roundStart, TaskContext.getPartitionId(), step++));
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        throw new UnsupportedOperationException("the classifier trains on DataSet minibatches");
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
