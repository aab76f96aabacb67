package io.atelier.common.train;

import io.atelier.common.nn.HostArrays;
import io.atelier.common.runs.TrainingState;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's K-step loop, the same for every family: bind the state, take K steps, fold the
 * tracked tensors into their moving averages after each, average the step metrics, unbind and
 * advance the step counter. A family's worker supplies only {@code bind}, one {@code step} and
 * {@code unbind}.
 */
public final class LocalSteps {
    private LocalSteps() {
    }

    /**
     * Advances {@code state} in place by {@code steps} optimizer steps of {@code worker}, which must
     * have been made by {@code trainer}. Returns each metric averaged over the steps (NaN for none).
     */
    public static Map<String, Double> run(ModelTrainer trainer, ModelTrainer.LocalWorker worker, TrainingState state,
                                          WorkerData data, int steps, long runSeed, int round) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        List<String> names = trainer.metricNames();
        double[] sums = new double[names.size()];
        double[] metrics = new double[names.size()];
        long first = state.step();
        worker.bind(state, data);
        // The averages live beside the tensors they follow (on the device, where there is one)
        // for the K steps, and go back into the state once.
        Map<String, INDArray> sources = worker.emaSources();
        Map<String, INDArray> averages = new LinkedHashMap<>();
        sources.forEach((name, current) -> averages.put(name, HostArrays.of(state.get(name), current.shape())));
        for (int i = 0; i < steps; i++) {
            long step = first + i;
            worker.step(runSeed, round, step, metrics);
            for (int k = 0; k < sums.length; k++) {
                sums[k] += metrics[k];
            }
            float decay = (float) emaDecayAt(trainer.emaDecay(), step + 1);
            sources.forEach((name, current) -> foldInto(averages.get(name), current, decay));
        }
        averages.forEach((name, average) -> HostArrays.store(average, state.get(name)));
        worker.unbind(state);
        state.setStep(first + steps);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int k = 0; k < sums.length; k++) {
            out.put(names.get(k), steps == 0 ? Double.NaN : sums[k] / steps);
        }
        return out;
    }

    /**
     * The decay after optimizer step t (1-based): min(decay, (1 + t) / (10 + t)), so a short run's
     * average follows the trained weights instead of staying at their random initialisation.
     */
    public static double emaDecayAt(double decay, long t) {
        return Math.min(decay, (1.0 + t) / (10.0 + t));
    }

    /** average = decay * average + (1 - decay) * current, as two in-place ops. */
    private static void foldInto(INDArray average, INDArray current, float decay) {
        average.muli(decay);
        Nd4j.getBlasWrapper().level1().axpy(average.length(), 1f - decay, current, average);
    }
}
