package io.atelier.common.train;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.runs.TrainingState;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * W workers with their data cached on the executors, ready to run rounds of one model. This is
 * the engine without files: {@link AveragingEngine} adds the run directory, benchmarks use it bare.
 */
public final class WorkerGroup implements AutoCloseable {
    /** Depth of {@code treeAggregate}: partial sums meet on executors before the driver once W is large. */
    private static final int AGGREGATE_DEPTH = 2;

    private final String id = UUID.randomUUID().toString();
    private final SparkSession spark;
    private final JavaSparkContext jsc;
    private final ModelTrainer trainer;
    private final int workers;
    private final JavaRDD<WorkerData> data;
    private final LongAccumulator decoded;
    private final long[] imagesPerWorker;

    private WorkerGroup(SparkSession spark, ModelTrainer trainer, List<ImageDataset> inputs, int workers) {
        this.spark = spark;
        this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.trainer = trainer;
        this.workers = workers;
        this.decoded = spark.sparkContext().longAccumulator("atelier.imagesDecoded");
        this.data = WorkerDataLoader.load(spark, inputs, workers, trainer.rowLabeler(), decoded);
        this.imagesPerWorker = new long[workers];
    }

    /**
     * Reads and caches each worker's train split now (one Spark job), so the first round's time
     * is training time. Fails, naming the worker, if any worker is left without images.
     */
    public static WorkerGroup load(SparkSession spark, ModelTrainer trainer, ImageDataset dataset, int workers) {
        return load(spark, trainer, List.of(dataset), workers);
    }

    /**
     * The same for several inputs trained together: each worker holds its shards of every input,
     * a row's label being its input's index (see {@link WorkerDataLoader}). Fails, naming the
     * worker and the input, if any worker is left without images of an input.
     */
    public static WorkerGroup load(SparkSession spark, ModelTrainer trainer, List<ImageDataset> inputs, int workers) {
        WorkerGroup group = new WorkerGroup(spark, trainer, inputs, workers);
        try {
            spark.sparkContext().setJobDescription("load and cache the train split for " + workers + " workers");
            int n = inputs.size();
            List<long[]> counts = group.data.map(d -> imagesPerInput(d, n)).collect();
            for (long[] c : counts) {
                group.imagesPerWorker[(int) c[0]] = c[1];
            }
            for (long[] c : counts) {
                for (int i = 0; i < n; i++) {
                    if (c[2 + i] == 0) {
                        throw new IllegalArgumentException("worker " + c[0] + " of " + workers + " has no training images in "
                                + "dataset " + inputs.get(i).path() + " (its shards hold no train rows): use fewer workers or"
                                + " re-ingest with more data");
                    }
                }
            }
            for (int w = 0; w < workers; w++) {
                if (group.imagesPerWorker[w] == 0) {
                    throw new IllegalArgumentException("worker " + w + " of " + workers + " has no training images in dataset "
                            + inputs.get(0).path() + " (its shards hold no train rows): use fewer workers or re-ingest with"
                            + " more data");
                }
            }
            return group;
        } catch (RuntimeException e) {
            group.close();
            throw e;
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
    }

    /** {worker, images, then images of each input}; with one input its count is all the worker's images. */
    private static long[] imagesPerInput(WorkerData d, int inputs) {
        long[] out = new long[2 + inputs];
        out[0] = d.worker();
        out[1] = d.count();
        if (inputs == 1) {
            out[2] = d.count();
            return out;
        }
        for (int label : d.labels()) {
            out[2 + label]++;
        }
        return out;
    }

    public int workers() {
        return workers;
    }

    public long trainImages() {
        return Arrays.stream(imagesPerWorker).sum();
    }

    /** Images decoded since the group was loaded: the train split's size unless a cached block was lost. */
    public long imagesDecoded() {
        return decoded.value();
    }

    /** {@link #runRound(TrainingState, int, long, double)} with the default metric limit. */
    public RoundResult runRound(TrainingState state, int localSteps, long seed) {
        return runRound(state, localSteps, seed, DivergenceGuard.DEFAULT.metricLimit());
    }

    /**
     * One round: broadcast {@code state}, K local steps on every worker, then the tree mean of the
     * workers' states (see {@link TreeMean}) with step advanced by K and round by one. When any
     * worker's result diverged (non-finite tensor, or a metric non-finite or beyond
     * {@code metricLimit}), nothing is averaged and the result carries {@code state} unchanged.
     */
    public RoundResult runRound(TrainingState state, int localSteps, long seed, double metricLimit) {
        long start = System.nanoTime();
        LinkedHashMap<String, ModelTrainer.Combine> rules = TreeMean.rulesFor(trainer, state);
        Broadcast<TrainingState> shared = jsc.broadcast(state);
        try {
            spark.sparkContext().setJobDescription("round " + (state.round() + 1) + ": " + workers + " workers x "
                    + localSteps + " steps");
            TreeMean sum = data.mapPartitions(new RoundTask(id, trainer, shared, localSteps, seed, metricLimit))
                    .treeAggregate(TreeMean.empty(workers, rules), TreeMean::add, TreeMean::merge, AGGREGATE_DEPTH);
            List<Divergence> divergences = sum.divergences();
            TrainingState next = divergences.isEmpty() ? sum.mean(state.step() + localSteps, state.round() + 1) : state;
            Map<String, Double> metrics = sum.meanMetrics();
            if (divergences.isEmpty()) {
                trainer.afterAveraging(next, metrics, (long) workers * localSteps * trainer.imagesPerStep());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new RoundResult(next, metrics, seconds, sum.maxComputeNanos() / 1e9,
                    sum.maxBroadcastNanos() / 1e9, sum.devices(), divergences);
        } finally {
            spark.sparkContext().setJobDescription(null);
            shared.destroy();
        }
    }

    /** Frees the cached data on the executors and this JVM's idle workers. */
    @Override
    public void close() {
        data.unpersist(false);
        LocalWorkers.release(id);
    }
}
