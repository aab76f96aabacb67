package io.atelier.common.families.diffusion;

import io.atelier.common.image.PixelAdapter;
import io.atelier.common.nn.Adam;
import io.atelier.common.nn.AdamMoments;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.Seeds;
import io.atelier.common.train.WorkerData;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * One executor's diffusion trainer: the U-Net and every buffer a step needs, allocated once and
 * reused across rounds. A step draws a batch, a time step and noise per image, makes x_t in
 * closed form, drops each image's caption with probability condDrop, regresses the prediction
 * on the noise (or v) with MSE, clips the gradient's global norm, takes an Adam step with a
 * warmed-up learning rate; the engine then folds the weights into their EMA. The batch's pixels
 * (NCHW), its noise (drawn on the heap, so a step's draws do not depend on the backend) and the
 * per-image noise levels come in through {@link HostArrays}; x_t and the target ({@link NoiseSchedule}'s
 * formulas), the loss and its gradient are ND4J ops. Not thread-safe.
 */
public final class DiffusionWorker implements ModelTrainer.LocalWorker {
    private static final double ADAM_EPS = 1e-8;

    private final DiffusionConfig config;
    private final NoiseSchedule schedule;
    private final UNet net;
    private final Adam adam;
    private final int batch;
    private final int size;
    private final int[][] captions;
    private final int[] indices;
    private final int[] labels;
    private final int[] times;
    private final double[] timeValues;
    private final int[][] conditions;
    private final float[] x0;
    private final float[] noise;
    /** sqrt(abar_t) and sqrt(1 - abar_t) per image. */
    private final float[] signalLevel;
    private final float[] noiseLevel;
    private final Tensor pixelsStored;
    private final Tensor x0Nhwc;
    private final Tensor noiseNhwc;
    private final Tensor signalLevels;
    private final Tensor noiseLevels;
    private final Tensor target;
    private final Tensor scratch;
    private final Tensor gradOut;

    private WorkerData data;
    private final AdamMoments moments;

    DiffusionWorker(DiffusionConfig config) {
        this.config = config;
        this.schedule = config.noiseSchedule();
        this.batch = config.batchSize();
        this.size = config.imageFloats();
        this.net = new UNet(config.architecture(), batch);
        this.adam = new Adam(config.learningRate(), 0.9, 0.999, ADAM_EPS);
        this.moments = new AdamMoments(net.params());
        Vocabulary vocabulary = config.conditional() ? config.vocabulary() : null;
        this.captions = new int[vocabulary == null ? 0 : vocabulary.captions()][];
        for (int c = 0; c < captions.length; c++) {
            captions[c] = vocabulary.caption(c);
        }
        this.indices = new int[batch];
        this.labels = new int[batch];
        this.times = new int[batch];
        this.timeValues = new double[batch];
        this.conditions = new int[batch][];
        this.x0 = new float[batch * size];
        this.noise = new float[batch * size];
        this.signalLevel = new float[batch];
        this.noiseLevel = new float[batch];
        int side = config.imageSize();
        this.pixelsStored = new Tensor(batch, side, side, config.channels());
        this.x0Nhwc = new Tensor(batch, side, side, config.channels());
        this.noiseNhwc = new Tensor(batch, side, side, config.channels());
        this.signalLevels = new Tensor(batch, 1);
        this.noiseLevels = new Tensor(batch, 1);
        this.target = new Tensor(batch, side, side, config.channels());
        this.scratch = new Tensor(batch, side, side, config.channels());
        this.gradOut = new Tensor(batch, side, side, config.channels());
    }

    public UNet network() {
        return net;
    }

    @Override
    public void bind(TrainingState state, WorkerData workerData) {
        checkData(workerData);
        int size = net.params().layout().size();
        for (String name : new String[]{DiffusionTrainer.PARAMS, DiffusionTrainer.ADAM_M, DiffusionTrainer.ADAM_V, DiffusionTrainer.EMA}) {
            if (state.get(name).length != size) {
                throw new IllegalArgumentException("training state does not match this diffusion config: " + name + " holds "
                        + state.get(name).length + " values, the network has " + size + " parameters");
            }
        }
        this.data = workerData;
        net.params().load(state.get(DiffusionTrainer.PARAMS));
        moments.load(state.get(DiffusionTrainer.ADAM_M), state.get(DiffusionTrainer.ADAM_V));
    }

    @Override
    public void unbind(TrainingState state) {
        net.params().store(state.get(DiffusionTrainer.PARAMS));
        moments.store(state.get(DiffusionTrainer.ADAM_M), state.get(DiffusionTrainer.ADAM_V));
        data = null;
    }

    /** One optimizer step; fills {@code metrics} in {@link DiffusionTrainer#METRICS} order. */
    @Override
    public void step(long runSeed, int round, long step, double[] metrics) {
        int worker = data.worker();
        Rng pick = new Rng(Seeds.derive(runSeed, round, worker, step, DiffusionTrainer.PURPOSE_BATCH));
        for (int i = 0; i < batch; i++) {
            indices[i] = pick.nextInt(data.count());
        }
        data.batch(indices, x0, labels);
        Rng timeRng = new Rng(Seeds.derive(runSeed, round, worker, step, DiffusionTrainer.PURPOSE_TIME));
        Rng dropRng = new Rng(Seeds.derive(runSeed, round, worker, step, DiffusionTrainer.PURPOSE_DROP));
        new Rng(Seeds.derive(runSeed, round, worker, step, DiffusionTrainer.PURPOSE_NOISE)).fillGaussian(noise, 0, noise.length);
        for (int i = 0; i < batch; i++) {
            times[i] = timeRng.nextInt(schedule.timesteps());
            timeValues[i] = times[i];
            boolean drop = dropRng.nextDouble() < config.condDrop();
            conditions[i] = captions.length == 0 || drop || labels[i] < 0 ? null : captions[labels[i]];
        }
        schedule.levels(times, batch, signalLevel, noiseLevel);
        HostArrays.load(pixelsStored.matrix(batch), x0);
        PixelAdapter.storedToRgb(pixelsStored.rows(batch), x0Nhwc.rows(batch));
        HostArrays.load(noiseNhwc.matrix(batch), noise);
        HostArrays.load(signalLevels.matrix(batch), signalLevel);
        HostArrays.load(noiseLevels.matrix(batch), noiseLevel);
        INDArray a = signalLevels.matrix(batch);
        INDArray b = noiseLevels.matrix(batch);
        INDArray clean = x0Nhwc.matrix(batch);
        INDArray eps = noiseNhwc.matrix(batch);
        INDArray tmp = scratch.matrix(batch);
        NoiseSchedule.noise(clean, eps, a, b, tmp, net.input().matrix(batch));
        INDArray goal = eps;
        if (config.prediction() == DiffusionConfig.Prediction.V) {
            goal = target.matrix(batch);
            NoiseSchedule.velocity(clean, eps, a, b, tmp, goal);
        }
        net.setTimesAndConditions(timeValues, conditions, batch);
        INDArray pred = net.forward(batch).matrix(batch);
        // MSE over every value; its gradient 2 (pred - goal) / total.
        INDArray g = gradOut.matrix(batch);
        Nd4j.exec(new SubOp(pred, goal, g));
        int total = batch * size;
        double norm2 = g.norm2Number().doubleValue();
        double loss = norm2 * norm2;
        g.muli(2f / total);
        net.backward(gradOut, batch);
        double norm = net.params().gradNorm();
        if (config.gradClip() > 0 && norm > config.gradClip()) {
            net.params().grads().muli(config.gradClip() / norm);
        }
        long t = step + 1;
        double lrScale = config.warmupSteps() == 0 ? 1.0 : Math.min(1.0, t / (double) config.warmupSteps());
        adam.step(net.params(), moments, t, lrScale);
        metrics[0] = loss / total;
        metrics[1] = norm;
        metrics[2] = config.learningRate() * lrScale;
    }

    /** The weights, whose moving average sampling uses. */
    @Override
    public Map<String, INDArray> emaSources() {
        return Map.of(DiffusionTrainer.EMA, net.params().values());
    }

    private void checkData(WorkerData wd) {
        if (wd.channels() != config.channels() || wd.height() != config.imageSize() || wd.width() != config.imageSize()) {
            throw new IllegalArgumentException("worker " + wd.worker() + " holds " + wd.channels() + "x" + wd.height() + "x"
                    + wd.width() + " images; this diffusion model is configured for " + config.channels() + "x"
                    + config.imageSize() + "x" + config.imageSize());
        }
        if (wd.count() < 1) {
            throw new IllegalArgumentException("worker " + wd.worker() + " has no training images");
        }
        // A row without a caption trains the unconditional prediction; a class model needs every label.
        int lowest = config.captionSource() == DiffusionConfig.CaptionSource.CAPTION ? -1 : 0;
        for (int i = 0; captions.length > 0 && i < wd.count(); i++) {
            int label = wd.labels()[i];
            if (label < lowest || label >= captions.length) {
                throw new IllegalArgumentException("worker " + wd.worker() + ": image " + i + " has label " + label
                        + ", a conditional model needs labels in [0, " + captions.length + ")");
            }
        }
    }
}
