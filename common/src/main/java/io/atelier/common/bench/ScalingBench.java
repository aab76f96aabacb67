package io.atelier.common.bench;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.RoundResult;
import io.atelier.common.train.WorkerGroup;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench scaling}: images per second with 1 and 2 workers, and how much of a round the
 * averaging costs at several K, measured with bare rounds (no run directory) on whatever master
 * the session runs on. Each (W, K) gets its own warm-up rounds first (JIT, worker build, caches).
 */
public final class ScalingBench {
    private ScalingBench() {
    }

    /**
     * @param workerCounts  the W to measure, e.g. 1 and 2
     * @param localSteps    the K to measure, e.g. 1, 5 and 20
     * @param rounds        measured rounds per (W, K)
     * @param warmupRounds  unmeasured rounds before them
     */
    public record Options(List<Integer> workerCounts, List<Integer> localSteps, int rounds, int warmupRounds, long seed) {
        public Options {
            workerCounts = List.copyOf(workerCounts);
            localSteps = List.copyOf(localSteps);
            if (workerCounts.isEmpty() || localSteps.isEmpty() || rounds < 1 || warmupRounds < 0) {
                throw new IllegalArgumentException("scaling bench needs worker counts, local steps, rounds >= 1 and warm-up rounds >= 0");
            }
        }

        public static Options standard() {
            return new Options(List.of(1, 2), List.of(1, 5, 20), 3, 1, 42);
        }
    }

    /**
     * One table row. {@code speedup} is images/s over the first W's images/s at the same K.
     *
     * @param overheadShare mean share of a round not spent in local steps (broadcast, scheduling, averaging)
     */
    public record Row(int workers, int localSteps, int rounds, double imagesPerSecond, double stepsPerSecond,
                      double speedup, double roundSeconds, double overheadSeconds, double overheadShare) {
    }

    public static List<Row> run(SparkSession spark, ModelTrainer trainer, String datasetPath, Options options) {
        ImageDataset dataset = ImageDataset.open(spark, datasetPath);
        List<Row> rows = new ArrayList<>();
        for (int workers : options.workerCounts()) {
            try (WorkerGroup group = WorkerGroup.load(spark, trainer, dataset, workers)) {
                for (int k : options.localSteps()) {
                    rows.add(measure(group, trainer, k, options, baseline(rows, k)));
                }
            }
        }
        return rows;
    }

    private static Row measure(WorkerGroup group, ModelTrainer trainer, int k, Options options, Row baseline) {
        TrainingState state = trainer.initialState(options.seed());
        for (int i = 0; i < options.warmupRounds(); i++) {
            state = group.runRound(state, k, options.seed()).state();
        }
        double round = 0;
        double overhead = 0;
        double share = 0;
        for (int i = 0; i < options.rounds(); i++) {
            RoundResult r = group.runRound(state, k, options.seed());
            state = r.state();
            round += r.roundSeconds();
            overhead += r.overheadSeconds();
            share += r.overheadShare();
        }
        int n = options.rounds();
        double meanRound = round / n;
        double steps = meanRound > 0 ? k / meanRound : 0;
        double images = steps * group.workers() * trainer.imagesPerStep();
        double speedup = baseline == null ? 1 : ratio(images > 0 ? images : steps * group.workers(),
                baseline.imagesPerSecond() > 0 ? baseline.imagesPerSecond() : baseline.stepsPerSecond() * baseline.workers());
        return new Row(group.workers(), k, n, images, steps, speedup, meanRound, overhead / n, share / n);
    }

    private static Row baseline(List<Row> rows, int k) {
        return rows.stream().filter(r -> r.localSteps() == k).findFirst().orElse(null);
    }

    private static double ratio(double a, double b) {
        return b > 0 ? a / b : 0;
    }
}
