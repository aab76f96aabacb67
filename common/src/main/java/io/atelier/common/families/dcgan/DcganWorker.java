package io.atelier.common.families.dcgan;

import io.atelier.common.image.PixelAdapter;
import io.atelier.common.nn.Adam;
import io.atelier.common.nn.AdamMoments;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Losses;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.Seeds;
import io.atelier.common.train.WorkerData;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;

/**
 * One executor's DCGAN trainer: networks and every buffer a step needs, allocated once and
 * reused across rounds. A step draws a real batch and z, makes fakes with G, updates D on real
 * and fake together (one pass of 2B rows, batch norm per half, as two passes would), then
 * updates G through the updated D with the non-saturating loss; the engine then folds G into its EMA.
 * Not thread-safe: one task at a time.
 */
public final class DcganWorker implements ModelTrainer.LocalWorker {
    private static final double ADAM_EPS = 1e-8;
    private static final Layer.Pass REAL_AND_FAKE = new Layer.Pass(true, 2);

    private final DcganConfig config;
    private final DcganGenerator g;
    private final DcganDiscriminator d;
    private final Adam adamG;
    private final Adam adamD;
    private final int batch;
    private final int imageFloats;
    private final int[] indices;
    private final float[] realPixels;
    private final int[] realLabels;
    private final int[] fakeLabels;
    private final float[] z;
    private final Tensor realStored;
    private final Tensor gradLogits;
    private final double[] prob = new double[1];

    private TrainingState bound;
    private WorkerData data;
    private final AdamMoments gMoments;
    private final AdamMoments dMoments;

    DcganWorker(DcganConfig config) {
        this.config = config;
        DcganArchitecture arch = DcganTrainer.architecture(config);
        this.batch = config.batchSize();
        this.imageFloats = config.imageFloats();
        this.g = new DcganGenerator(arch, batch);
        this.d = new DcganDiscriminator(arch, 2 * batch, 2);
        this.adamG = new Adam(config.learningRate(), config.beta1(), config.beta2(), ADAM_EPS);
        this.adamD = new Adam(config.learningRate(), config.beta1(), config.beta2(), ADAM_EPS);
        this.gMoments = new AdamMoments(g.params());
        this.dMoments = new AdamMoments(d.params());
        this.indices = new int[batch];
        this.realPixels = new float[batch * imageFloats];
        this.realLabels = new int[batch];
        this.fakeLabels = new int[batch];
        this.z = new float[batch * config.latentDim()];
        this.realStored = new Tensor(batch, config.imageSize(), config.imageSize(), config.channels());
        this.gradLogits = new Tensor(2L * batch, 1);
    }

    /** Loads a state into the networks; the optimizer's heap-side tensors are used in place. */
    @Override
    public void bind(TrainingState state, WorkerData workerData) {
        checkData(workerData);
        int gSize = g.params().layout().size();
        int dSize = d.params().layout().size();
        if (state.get(DcganTrainer.G_ADAM_M).length != gSize || state.get(DcganTrainer.G_ADAM_V).length != gSize
                || state.get(DcganTrainer.G_EMA).length != gSize || state.get(DcganTrainer.D_ADAM_M).length != dSize
                || state.get(DcganTrainer.D_ADAM_V).length != dSize
                || state.get(DcganTrainer.G_EMA_STATS).length != g.stats().layout().size()) {
            throw new IllegalArgumentException("training state does not match this DCGAN config");
        }
        this.data = workerData;
        this.bound = state;
        g.params().load(state.get(DcganTrainer.G_PARAMS));
        d.params().load(state.get(DcganTrainer.D_PARAMS));
        gMoments.load(state.get(DcganTrainer.G_ADAM_M), state.get(DcganTrainer.G_ADAM_V));
        dMoments.load(state.get(DcganTrainer.D_ADAM_M), state.get(DcganTrainer.D_ADAM_V));
        g.stats().load(state.get(DcganTrainer.G_STATS));
        d.stats().load(state.get(DcganTrainer.D_STATS));
    }

    /** Writes the native parameters and running statistics back. */
    @Override
    public void unbind(TrainingState state) {
        if (state != bound) {
            throw new IllegalStateException("unbinding a state that is not bound");
        }
        g.params().store(state.get(DcganTrainer.G_PARAMS));
        d.params().store(state.get(DcganTrainer.D_PARAMS));
        gMoments.store(state.get(DcganTrainer.G_ADAM_M), state.get(DcganTrainer.G_ADAM_V));
        dMoments.store(state.get(DcganTrainer.D_ADAM_M), state.get(DcganTrainer.D_ADAM_V));
        g.stats().store(state.get(DcganTrainer.G_STATS));
        d.stats().store(state.get(DcganTrainer.D_STATS));
        bound = null;
        data = null;
        // Keep no reference to the state between rounds: the engine replaces it with the average.
    }

    /** One D update and one G update; fills {@code metrics} in {@link DcganTrainer#METRICS} order. */
    @Override
    public void step(long runSeed, int round, long step, double[] metrics) {
        int b = batch;
        int worker = data.worker();
        long adamT = step + 1;

        drawInputs(data, runSeed, round, step, indices, realPixels, realLabels, z);
        if (config.conditional()) {
            Rng labels = new Rng(Seeds.derive(runSeed, round, worker, step, DcganTrainer.PURPOSE_FAKE_LABELS));
            for (int i = 0; i < b; i++) {
                fakeLabels[i] = labels.nextInt(config.numClasses());
            }
        }

        // Fakes: G runs once; its activations stay for the G update below.
        g.setInput(z, fakeLabels, b);
        Tensor fake = g.forward(b, Layer.Pass.TRAIN);

        // D update on [real; fake].
        INDArray dIn = d.input().rows(2 * b);
        HostArrays.load(DcganGenerator.flat(realStored.matrix(b)), realPixels);
        PixelAdapter.storedToRgb(realStored.rows(b), d.input().rows(b));
        dIn.get(NDArrayIndex.interval(b, 2 * b)).assign(fake.rows(b));
        d.setLabels(realLabels, 0, b);
        d.setLabels(fakeLabels, b, b);
        INDArray logits = d.forward(2 * b, REAL_AND_FAKE).matrix(2 * b);
        INDArray gl = gradLogits.matrix(2 * b);
        double lossReal = Losses.bceWithLogits(firstHalf(logits, b), firstHalf(gl, b), 1f, prob);
        double dReal = prob[0];
        double lossFake = Losses.bceWithLogits(secondHalf(logits, b), secondHalf(gl, b), 0f, prob);
        double dFake = prob[0];
        d.backward(gradLogits, 2 * b, Layer.Grads.ALL);
        double dNorm = d.params().gradNorm();
        adamD.step(d.params(), dMoments, adamT, 1.0);

        // G update through the updated D: D's parameters are frozen, only dL/dimage flows back.
        d.input().rows(b).assign(fake.rows(b));
        d.setLabels(fakeLabels, 0, b);
        double lossG = Losses.bceWithLogits(d.forward(b, Layer.Pass.TRAIN).matrix(b), gradLogits.matrix(b), 1f, null);
        Tensor gradImages = d.backward(gradLogits, b, Layer.Grads.INPUT);
        g.backward(gradImages, b);
        double gNorm = g.params().gradNorm();
        adamG.step(g.params(), gMoments, adamT, 1.0);

        metrics[0] = lossReal + lossFake;
        metrics[1] = lossG;
        metrics[2] = dReal;
        metrics[3] = dFake;
        metrics[4] = dNorm;
        metrics[5] = gNorm;
    }

    private static INDArray firstHalf(INDArray rows, int b) {
        return rows.get(NDArrayIndex.interval(0, b), NDArrayIndex.all());
    }

    private static INDArray secondHalf(INDArray rows, int b) {
        return rows.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all());
    }

    /**
     * The inputs step {@code step} of this worker draws: {@code indices.length} real images (NHWC
     * floats in [-1, 1], stored channel order: see {@link WorkerData#batch}) with their labels, and z (N(0, 1), {@code z.length} floats). Public so
     * that another implementation of the step (the libtorch one of the benchmark) is fed the same.
     */
    public static void drawInputs(WorkerData data, long runSeed, int round, long step, int[] indices, float[] realPixels,
                                  int[] realLabels, float[] z) {
        Rng pick = new Rng(Seeds.derive(runSeed, round, data.worker(), step, DcganTrainer.PURPOSE_BATCH));
        for (int i = 0; i < indices.length; i++) {
            indices[i] = pick.nextInt(data.count());
        }
        data.batch(indices, realPixels, realLabels);
        new Rng(Seeds.derive(runSeed, round, data.worker(), step, DcganTrainer.PURPOSE_LATENT)).fillGaussian(z, 0, z.length);
    }

    /** G's parameters and running statistics, whose moving averages sampling uses. */
    @Override
    public Map<String, INDArray> emaSources() {
        return Map.of(DcganTrainer.G_EMA, g.params().values(), DcganTrainer.G_EMA_STATS, g.stats().values());
    }

    private void checkData(WorkerData wd) {
        if (wd.channels() != config.channels() || wd.height() != config.imageSize() || wd.width() != config.imageSize()) {
            throw new IllegalArgumentException("worker " + wd.worker() + " holds " + wd.channels() + "x" + wd.height() + "x"
                    + wd.width() + " images; this DCGAN is configured for " + config.channels() + "x"
                    + config.imageSize() + "x" + config.imageSize());
        }
        if (wd.count() < 1) {
            throw new IllegalArgumentException("worker " + wd.worker() + " has no training images");
        }
        if (config.conditional()) {
            for (int i = 0; i < wd.count(); i++) {
                int label = wd.labels()[i];
                if (label < 0 || label >= config.numClasses()) {
                    throw new IllegalArgumentException("worker " + wd.worker() + ": image " + i + " has label " + label
                            + ", a conditional DCGAN needs labels in [0, " + config.numClasses() + ")");
                }
            }
        }
    }
}
