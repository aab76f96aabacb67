package io.atelier.common.train;

import io.atelier.common.compute.ComputeDevice;
import io.atelier.common.compute.NativeMemory;
import io.atelier.common.compute.TaskDevice;
import io.atelier.common.runs.TrainingState;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One worker's share of a round, run as the task of its partition: copy the broadcast state,
 * take K local steps on the cached data, send back the new state. Everything it computes depends
 * only on the state, the data and (seed, round, worker), so a retried attempt returns the same.
 * A state holding NaN or an infinity, or a metric beyond the limit, is reported as a
 * {@link Divergence} beside the result.
 */
final class RoundTask implements FlatMapFunction<Iterator<WorkerData>, WorkerResult> {
    private final String groupId;
    private final ModelTrainer trainer;
    private final Broadcast<TrainingState> state;
    private final int localSteps;
    private final long seed;
    private final double metricLimit;

    RoundTask(String groupId, ModelTrainer trainer, Broadcast<TrainingState> state, int localSteps, long seed,
              double metricLimit) {
        this.groupId = groupId;
        this.trainer = trainer;
        this.state = state;
        this.localSteps = localSteps;
        this.seed = seed;
        this.metricLimit = metricLimit;
    }

    @Override
    public Iterator<WorkerResult> call(Iterator<WorkerData> partition) {
        // A native-memory limit reached fails the round in one line, not the executor JVM.
        return NativeMemory.guard(() -> round(partition));
    }

    private Iterator<WorkerResult> round(Iterator<WorkerData> partition) {
        TaskDevice device = ComputeDevice.bindForTask();
        if (!partition.hasNext()) {
            throw new IllegalStateException("a worker partition has no data; the group was built with an empty worker");
        }
        WorkerData data = partition.next();
        // Reaching the end also releases the cached block's read lock.
        if (partition.hasNext()) {
            throw new IllegalStateException("worker " + data.worker() + "'s partition holds more than one WorkerData");
        }
        long start = System.nanoTime();
        // The broadcast value is shared by every task in this JVM: train on a private copy.
        TrainingState local = state.value().copy();
        long fetched = System.nanoTime();
        ModelTrainer.LocalWorker worker = LocalWorkers.borrow(groupId, trainer);
        Map<String, Double> metrics = LocalSteps.run(trainer, worker, local, data, localSteps, seed, local.round());
        long done = System.nanoTime();
        LocalWorkers.giveBack(groupId, worker);
        // One pass over the arrays about to be sent anyway; the driver will not average a bad result.
        Divergence divergence = Divergence.check(data.worker(), local.round() + 1, local, metrics, metricLimit);
        List<WorkerResult> out = Collections.singletonList(
                new WorkerResult(data.worker(), local, new TreeMap<>(metrics), done - fetched, fetched - start,
                        device.toString(), divergence));
        return out.iterator();
    }
}
