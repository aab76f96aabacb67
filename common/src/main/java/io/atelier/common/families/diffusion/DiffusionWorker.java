package io.atelier.common.families.diffusion;

import io.atelier.common.nn.Adam;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Layouts;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.Seeds;
import io.atelier.common.train.WorkerData;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * One executor's diffusion trainer: the U-Net and every buffer a step needs, allocated once and
 * reused across rounds. A step draws a batch, a time step and noise per image, makes x_t in
 * closed form, drops each image's caption with probability condDrop, regresses the prediction
 * on the noise (or v) with MSE, clips the gradient's global norm, takes an Adam step with a
 * warmed-up learning rate; the engine then folds the weights into their EMA. Not thread-safe.
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
    private final float[] x0Nhwc;
    private final float[] noise;
    private final float[] xt;
    private final float[] target;
    private final Tensor gradOut;

    private WorkerData data;
    private float[] m;
    private float[] v;

    DiffusionWorker(DiffusionConfig config) {
        this.config = config;
        this.schedule = config.noiseSchedule();
        this.batch = config.batchSize();
        this.size = config.imageFloats();
        this.net = new UNet(config.architecture(), batch);
        this.adam = new Adam(config.learningRate(), 0.9, 0.999, ADAM_EPS);
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
        this.x0Nhwc = new float[batch * size];
        this.noise = new float[batch * size];
        this.xt = new float[batch * size];
        this.target = new float[batch * size];
        this.gradOut = new Tensor(batch, config.imageSize(), config.imageSize(), config.channels());
    }

    public UNet network() {
        return net;
    }

    @Override
    public void bind(TrainingState state, WorkerData workerData) {
        checkData(workerData);
        this.data = workerData;
        net.params().load(state.get(DiffusionTrainer.PARAMS));
        m = state.get(DiffusionTrainer.ADAM_M);
        v = state.get(DiffusionTrainer.ADAM_V);
        if (m.length != net.params().layout().size() || v.length != m.length || state.get(DiffusionTrainer.EMA).length != m.length) {
            throw new IllegalArgumentException("training state does not match this diffusion config");
        }
    }

    @Override
    public void unbind(TrainingState state) {
        net.params().store(state.get(DiffusionTrainer.PARAMS));
        data = null;
        m = v = null;
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
        int side = config.imageSize();
        Tensor nhwc = new Tensor(batch, side, side, config.channels());
        Layouts.nchwToNhwc(HostArrays.of(x0, (long) batch * size).reshape(batch, config.channels(), side, side), nhwc.rows(batch));
        HostArrays.store(nhwc.rows(batch).reshape((long) batch * size), x0Nhwc);
        Rng timeRng = new Rng(Seeds.derive(runSeed, round, worker, step, DiffusionTrainer.PURPOSE_TIME));
        Rng dropRng = new Rng(Seeds.derive(runSeed, round, worker, step, DiffusionTrainer.PURPOSE_DROP));
        new Rng(Seeds.derive(runSeed, round, worker, step, DiffusionTrainer.PURPOSE_NOISE)).fillGaussian(noise, 0, noise.length);
        for (int i = 0; i < batch; i++) {
            times[i] = timeRng.nextInt(schedule.timesteps());
            timeValues[i] = times[i];
            boolean drop = dropRng.nextDouble() < config.condDrop();
            conditions[i] = captions.length == 0 || drop || labels[i] < 0 ? null : captions[labels[i]];
            schedule.noise(x0Nhwc, noise, i * size, size, times[i], xt);
            if (config.prediction() == DiffusionConfig.Prediction.V) {
                schedule.velocity(x0Nhwc, noise, i * size, size, times[i], target);
            }
        }
        float[] goal = config.prediction() == DiffusionConfig.Prediction.V ? target : noise;
        net.input().floats().put(0, xt, 0, batch * size);
        net.setTimesAndConditions(timeValues, conditions, batch);
        FloatBuffer pred = net.forward(batch).floats();
        FloatBuffer g = gradOut.floats();
        int total = batch * size;
        double loss = 0;
        float scale = 2f / total;
        for (int i = 0; i < total; i++) {
            float d = pred.get(i) - goal[i];
            loss += (double) d * d;
            g.put(i, scale * d);
        }
        net.backward(gradOut, batch);
        double norm = Math.sqrt(net.params().gradSquaredSum());
        if (config.gradClip() > 0 && norm > config.gradClip()) {
            float c = (float) (config.gradClip() / norm);
            FloatBuffer grads = net.params().grads();
            for (int i = 0, n = m.length; i < n; i++) {
                grads.put(i, grads.get(i) * c);
            }
        }
        long t = step + 1;
        double lrScale = config.warmupSteps() == 0 ? 1.0 : Math.min(1.0, t / (double) config.warmupSteps());
        adam.step(net.params().values(), net.params().grads(), m, v, t, lrScale);
        metrics[0] = loss / total;
        metrics[1] = norm;
        metrics[2] = config.learningRate() * lrScale;
    }

    /** The weights, whose moving average sampling uses. */
    @Override
    public Map<String, FloatBuffer> emaSources() {
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
