package io.atelier.common.train;

import io.atelier.common.nn.HostArrays;
import io.atelier.common.runs.TrainingState;
import org.apache.spark.TaskContext;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model small enough for engine tests: logistic regression on pixels (label 1 against 0) in
 * plain Java arrays, trained with a hand-written Adam; the engine keeps an EMA of the weights. Its state has
 * the same kinds of tensors as a real family: parameters, Adam moments, an EMA copy.
 * Optionally fails the first attempt of one worker's task in one round, to exercise retries, or
 * writes NaN into its weights in one round, to exercise the divergence guard.
 */
public final class TinyLogisticTrainer implements ModelTrainer {
    /** Failures injected so far in this JVM (local masters run tasks here). */
    static final AtomicInteger INJECTED_FAILURES = new AtomicInteger();
    /** Rounds computed by NaN-injecting workers so far, by injection tag (local masters run tasks here). */
    private static final Map<String, AtomicInteger> NAN_ROUNDS = new ConcurrentHashMap<>();
    /** The weight the NaN goes into. */
    static final int NAN_INDEX = 3;

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;
    private static final double EMA = 0.9;

    private final int inputs;
    private final int batch;
    private final float learningRate;
    private final int failRound;
    private final int failWorker;
    private final String nanTag;
    private final int nanRound;
    private final int nanWorker;
    private final int nanAttempts;

    public TinyLogisticTrainer(int inputs, int batch, float learningRate) {
        this(inputs, batch, learningRate, -1, -1, null, -1, -1, 0);
    }

    private TinyLogisticTrainer(int inputs, int batch, float learningRate, int failRound, int failWorker,
                                String nanTag, int nanRound, int nanWorker, int nanAttempts) {
        this.inputs = inputs;
        this.batch = batch;
        this.learningRate = learningRate;
        this.failRound = failRound;
        this.failWorker = failWorker;
        this.nanTag = nanTag;
        this.nanRound = nanRound;
        this.nanWorker = nanWorker;
        this.nanAttempts = nanAttempts;
    }

    /** The same model, whose worker {@code worker} throws on the first attempt of round {@code round}. */
    TinyLogisticTrainer failingOnce(int round, int worker) {
        return new TinyLogisticTrainer(inputs, batch, learningRate, round, worker, null, -1, -1, 0);
    }

    /**
     * The same model, whose worker {@code worker} sets weight {@link #NAN_INDEX} to NaN after its
     * steps of round {@code round} (1-based), on the first {@code attempts} times it computes that
     * round; {@code tag} keeps the count apart from other tests'.
     */
    TinyLogisticTrainer nanIn(String tag, int round, int worker, int attempts) {
        return new TinyLogisticTrainer(inputs, batch, learningRate, -1, -1, tag, round, worker, attempts);
    }

    @Override
    public TrainingState initialState(long seed) {
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, 1));
        float[] w = new float[inputs];
        for (int i = 0; i < inputs; i++) {
            w[i] = (float) (rnd.nextDouble(-1, 1) * 0.01);
        }
        LinkedHashMap<String, float[]> t = new LinkedHashMap<>();
        t.put("w", w);
        t.put("b", new float[1]);
        t.put("w.adam.m", new float[inputs]);
        t.put("w.adam.v", new float[inputs]);
        t.put("b.adam.m", new float[1]);
        t.put("b.adam.v", new float[1]);
        t.put("w.ema", w.clone());
        return new TrainingState(t, 0, 0);
    }

    @Override
    public LocalWorker newWorker() {
        return new Worker();
    }

    @Override
    public float[] sampleGrid(TrainingState state, long seed, int count) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] w = state.get("w.ema");
        float[] out = new float[count * inputs];
        for (int n = 0; n < count; n++) {
            for (int i = 0; i < inputs; i++) {
                out[n * inputs + i] = (float) Math.tanh(w[i] * 20 + rnd.nextDouble(-0.5, 0.5));
            }
        }
        return out;
    }

    @Override
    public double emaDecay() {
        return EMA;
    }

    @Override
    public int imagesPerStep() {
        return batch;
    }

    @Override
    public List<String> metricNames() {
        return List.of("loss", "accuracy");
    }

    /** Holds its minibatch buffers across rounds, as a real worker holds its networks. */
    private final class Worker implements LocalWorker {
        private final float[] x = new float[batch * inputs];
        private final int[] y = new int[batch];
        private final int[] indices = new int[batch];
        private final float[] gradW = new float[inputs];

        private TrainingState bound;
        private WorkerData data;
        /** The weights as a tensor for the engine's moving average, refreshed after each step. */
        private INDArray liveW;
        private boolean injectNan;

        @Override
        public void bind(TrainingState state, WorkerData workerData) {
            if (state.round() == failRound && workerData.worker() == failWorker && TaskContext.get().attemptNumber() == 0) {
                state.get("w")[0] += 1;  // a half-done update must not leak into the retry
                INJECTED_FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure: worker " + failWorker + ", round " + failRound);
            }
            bound = state;
            data = workerData;
            injectNan = nanTag != null && state.round() + 1 == nanRound && workerData.worker() == nanWorker
                    && NAN_ROUNDS.computeIfAbsent(nanTag, t -> new AtomicInteger()).incrementAndGet() <= nanAttempts;
            liveW = HostArrays.of(state.get("w"), state.get("w").length);
        }

        @Override
        public void step(long runSeed, int round, long step, double[] metrics) {
            float[] w = bound.get("w");
            float[] b = bound.get("b");
            double lossSum = 0;
            int correct = 0;
            SplittableRandom rnd = new SplittableRandom(Seeds.derive(runSeed, round, data.worker(), step));
            for (int i = 0; i < batch; i++) {
                indices[i] = rnd.nextInt(data.count());
            }
            data.batch(indices, x, y);
            java.util.Arrays.fill(gradW, 0);
            float gradB = 0;
            for (int n = 0; n < batch; n++) {
                float z = b[0];
                for (int i = 0; i < inputs; i++) {
                    z += w[i] * x[n * inputs + i];
                }
                float p = (float) (1 / (1 + Math.exp(-z)));
                lossSum -= y[n] == 1 ? Math.log(Math.max(p, 1e-7)) : Math.log(Math.max(1 - p, 1e-7));
                correct += (p >= 0.5f) == (y[n] == 1) ? 1 : 0;
                float err = (p - y[n]) / batch;
                for (int i = 0; i < inputs; i++) {
                    gradW[i] += err * x[n * inputs + i];
                }
                gradB += err;
            }
            long t = step + 1;
            adam(w, gradW, bound.get("w.adam.m"), bound.get("w.adam.v"), t);
            adam(b, new float[]{gradB}, bound.get("b.adam.m"), bound.get("b.adam.v"), t);
            HostArrays.load(liveW, w);
            metrics[0] = lossSum / batch;
            metrics[1] = correct / (double) batch;
        }

        @Override
        public Map<String, INDArray> emaSources() {
            return Map.of("w.ema", liveW);
        }

        @Override
        public void unbind(TrainingState state) {
            if (injectNan) {
                state.get("w")[NAN_INDEX] = Float.NaN;
            }
            bound = null;
            data = null;
            liveW = null;
        }

        private void adam(float[] p, float[] g, float[] m, float[] v, long t) {
            float c1 = (float) (1 - Math.pow(BETA1, t));
            float c2 = (float) (1 - Math.pow(BETA2, t));
            for (int i = 0; i < p.length; i++) {
                m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
                v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
                p[i] -= learningRate * (m[i] / c1) / ((float) Math.sqrt(v[i] / c2) + EPS);
            }
        }
    }
}
