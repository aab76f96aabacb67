package io.atelier.common.families.stylegan;

import io.atelier.common.families.stylegan.augment.AugmentPipeline;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.nn.Adam;
import io.atelier.common.nn.AdamMoments;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Losses;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.Seeds;
import io.atelier.common.train.WorkerData;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

/**
 * One executor's StyleGAN2 trainer: generator, discriminator, optimisers and every buffer a step
 * needs, built once and reused across rounds. A step is NVlabs' Dmain (+ Dreg every 16th step)
 * then Gmain: D on fakes of two mixed w's and on reals (softplus losses), with the R1 gradient
 * ({@link R1Penalty}) added to D's gradient on R1 steps instead of a separate optimiser step (so
 * Adam's step count stays the engine's); then G through the updated D, the mean w of the step's
 * first latents folded into the tracked w_avg (beta 0.995). Every image D sees, real or fake, is
 * first augmented with the round's p ({@link #augmented}, ADA's pipeline), G's gradient flowing back
 * through the pipeline; R1 is taken at the augmented reals. r_t = mean sign(D(real)) is reported
 * for the driver's ADA update. With a path-length weight, every {@link StyleGanConfig#PL_INTERVAL}th
 * step also takes the path-length penalty's gradient ({@link PathLengthPenalty}) on half a batch of
 * fresh mixed w's (NVlabs' Greg), times the weight and the interval, and adds it to G's gradient
 * of that step, as R1 joins D's; pl_mean is this worker's running mean. Not thread-safe: one task
 * at a time.
 */
final class StyleGanWorker implements ModelTrainer.LocalWorker {
    private static final double ADAM_EPS = 1e-8;
    /** NVlabs' w_avg_beta. */
    private static final float W_AVG_BETA = 0.995f;

    private final StyleGanConfig config;
    private final StyleGanArchitecture arch;
    private final int batch;
    private final int imageFloats;
    private final StyleGenerator g;
    private final StyleDiscriminator d;
    private final R1Penalty r1;
    private final Adam adamG;
    private final Adam adamD;
    private final AdamMoments gMoments;
    private final AdamMoments dMoments;
    private final INDArray dGrads;
    private final INDArray r1Grads;
    private final INDArray wAvg;
    private final Tensor gradLogits;
    private final Tensor gradMapping;
    private final Tensor real;
    private final Tensor realStored;
    private final int[] indices;
    private final float[] pixels;
    private final float[] z;
    private final Tensor[] noise;
    private final double[] prob = new double[1];
    /** Null when augmentation is off: D then sees the images themselves. */
    private final AugmentPipeline augment;
    /** This round's augmentation probability. */
    private double p;
    /** Null when the path-length weight is 0. */
    private final PathLengthPenalty pl;
    private final INDArray plGrads;
    private final Tensor plProjection;
    private final float[] plValues;
    private float plMean;

    private TrainingState bound;
    private WorkerData data;

    StyleGanWorker(StyleGanConfig config) {
        this.config = config;
        this.arch = config.architecture();
        this.batch = config.batchSize();
        this.imageFloats = config.imageFloats();
        this.g = new StyleGenerator(arch, new Params(arch.generatorParams()), batch);
        this.d = new StyleDiscriminator(arch, new Params(arch.discriminatorParams()), batch);
        this.r1 = new R1Penalty(d, batch);
        this.adamG = new Adam(config.learningRate(), config.beta1(), config.beta2(), ADAM_EPS);
        // NVlabs scales D's lr and betas by interval / (interval + 1) because its R1 steps are extra
        // optimiser steps; here the R1 gradient joins an ordinary step, so D's Adam is G's.
        this.adamD = new Adam(config.learningRate(), config.beta1(), config.beta2(), ADAM_EPS);
        this.gMoments = new AdamMoments(g.params());
        this.dMoments = new AdamMoments(d.params());
        this.dGrads = d.params().grads().ulike();
        this.r1Grads = d.params().grads().ulike();
        this.wAvg = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, arch.latentDim());
        this.gradLogits = new Tensor(batch, 1);
        this.gradMapping = new Tensor(2L * batch, arch.latentDim());
        int s = config.imageSize();
        this.real = new Tensor(batch, s, s, config.channels());
        this.realStored = new Tensor(batch, s, s, config.channels());
        this.indices = new int[batch];
        this.pixels = new float[batch * imageFloats];
        this.z = new float[2 * batch * arch.latentDim()];
        this.noise = g.noiseInputs();
        this.augment = config.augment().enabled() ? new AugmentPipeline(batch, s, s, config.channels()) : null;
        boolean plOn = config.plWeight() > 0;
        int plRows = config.plBatch();
        this.pl = plOn ? new PathLengthPenalty(g, arch.numWs(), arch.latentDim(), plRows) : null;
        this.plGrads = plOn ? g.params().grads().ulike() : null;
        this.plProjection = plOn ? new Tensor(plRows, s, s, config.channels()) : null;
        this.plValues = plOn ? new float[plRows * imageFloats] : null;
    }

    @Override
    public void bind(TrainingState state, WorkerData workerData) {
        checkData(workerData);
        StyleGanTrainer.checkState(config, state);
        this.data = workerData;
        this.bound = state;
        g.params().load(state.get(StyleGanTrainer.G_PARAMS));
        d.params().load(state.get(StyleGanTrainer.D_PARAMS));
        gMoments.load(state.get(StyleGanTrainer.G_ADAM_M), state.get(StyleGanTrainer.G_ADAM_V));
        dMoments.load(state.get(StyleGanTrainer.D_ADAM_M), state.get(StyleGanTrainer.D_ADAM_V));
        HostArrays.load(wAvg, state.get(StyleGanTrainer.W_AVG));
        StyleGanAugment a = config.augment();
        this.p = a.adaptive() ? state.get(StyleGanTrainer.ADA_P)[0] : a.p();
        this.plMean = pl != null ? state.get(StyleGanTrainer.PL_MEAN)[0] : 0f;
    }

    @Override
    public void unbind(TrainingState state) {
        if (state != bound) {
            throw new IllegalStateException("unbinding a state that is not bound");
        }
        g.params().store(state.get(StyleGanTrainer.G_PARAMS));
        d.params().store(state.get(StyleGanTrainer.D_PARAMS));
        gMoments.store(state.get(StyleGanTrainer.G_ADAM_M), state.get(StyleGanTrainer.G_ADAM_V));
        dMoments.store(state.get(StyleGanTrainer.D_ADAM_M), state.get(StyleGanTrainer.D_ADAM_V));
        HostArrays.store(wAvg, state.get(StyleGanTrainer.W_AVG));
        if (pl != null) {
            state.get(StyleGanTrainer.PL_MEAN)[0] = plMean;
        }
        bound = null;
        data = null;
    }

    @Override
    public void step(long runSeed, int round, long step, double[] metrics) {
        int b = batch;
        long adamT = step + 1;
        drawReals(runSeed, round, step);

        // Dmain: fakes of mixed w's, then reals; the parameter gradients are summed aside.
        int cutoff = fakes(b, runSeed, round, step, StyleGanTrainer.PURPOSE_LATENT_D, StyleGanTrainer.PURPOSE_MIX_D,
                StyleGanTrainer.PURPOSE_NOISE_D);
        INDArray fakeLogits = judge(augmented(g.synthesize(b), runSeed, round, step, StyleGanTrainer.PURPOSE_AUGMENT_FAKE_D), b);
        double lossFake = Losses.bceWithLogits(fakeLogits, gradLogits.matrix(b), 0f, prob);
        double dFake = prob[0];
        d.backward(gradLogits, b, Layer.Grads.PARAMS);
        dGrads.assign(d.params().grads());
        Tensor realSeen = augmented(real, runSeed, round, step, StyleGanTrainer.PURPOSE_AUGMENT_REAL);
        INDArray realLogits = judge(realSeen, b);
        double rt = Transforms.sign(realLogits, true).meanNumber().doubleValue();
        double lossReal = Losses.bceWithLogits(realLogits, gradLogits.matrix(b), 1f, prob);
        double dReal = prob[0];
        d.backward(gradLogits, b, Layer.Grads.PARAMS);
        dGrads.addi(d.params().grads());
        // Dreg: gamma / 2 * mean |dD/dx|^2, times the interval (lazy regularisation).
        double r1Value = 0;
        if (config.r1Gamma() > 0 && step % config.r1Interval() == 0) {
            r1Value = r1.gradient(realSeen, b, r1Grads) / b;
            dGrads.addi(r1Grads.muli(config.r1Gamma() * config.r1Interval() / b));
        }
        d.params().grads().assign(dGrads);
        double dNorm = d.params().gradNorm();
        adamD.step(d.params(), dMoments, adamT, 1.0);

        // Greg: the path-length gradient on its own half batch, kept aside for Gmain's step.
        boolean plStep = pl != null && step % StyleGanConfig.PL_INTERVAL == 0;
        double plPenalty = 0;
        if (plStep) {
            plPenalty = pathLength(runSeed, round, step);
        }

        // Gmain: G through the updated D, frozen.
        cutoff = fakes(b, runSeed, round, step, StyleGanTrainer.PURPOSE_LATENT_G, StyleGanTrainer.PURPOSE_MIX_G,
                StyleGanTrainer.PURPOSE_NOISE_G);
        INDArray logits = judge(augmented(g.synthesize(b), runSeed, round, step, StyleGanTrainer.PURPOSE_AUGMENT_FAKE_G), b);
        double lossG = Losses.bceWithLogits(logits, gradLogits.matrix(b), 1f, null);
        Tensor gradImages = d.backward(gradLogits, b, Layer.Grads.INPUT);
        if (augment != null) {
            gradImages = augment.backward(gradImages, b);
        }
        g.synthesisBackward(gradImages, b);
        INDArray first = gradMapping.rows(2 * b).get(NDArrayIndex.interval(0, b), NDArrayIndex.all());
        INDArray second = gradMapping.rows(2 * b).get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all());
        first.assign(0);
        second.assign(0);
        for (int l = 0; l < arch.numWs(); l++) {
            (l < cutoff ? first : second).addi(g.wGrad(l).matrix(b));
        }
        g.mapBackward(gradMapping, 2 * b);
        if (plStep) {
            g.params().grads().addi(plGrads);
        }
        double gNorm = g.params().gradNorm();
        adamG.step(g.params(), gMoments, adamT, 1.0);
        // w_avg <- mean(w) + beta (w_avg - mean(w)), from this step's first latents.
        INDArray mean = g.wInput(0).matrix(b).mean(0);
        wAvg.muli(W_AVG_BETA).addi(mean.muli(1f - W_AVG_BETA));

        metrics[0] = lossReal + lossFake;
        metrics[1] = lossG;
        metrics[2] = dReal;
        metrics[3] = dFake;
        metrics[4] = r1Value;
        metrics[5] = dNorm;
        metrics[6] = gNorm;
        metrics[7] = wAvg.norm2Number().doubleValue();
        metrics[StyleGanTrainer.METRIC_ADA_P] = p;
        metrics[StyleGanTrainer.METRIC_ADA_RT] = rt;
        metrics[StyleGanTrainer.METRIC_PL_PENALTY] = plPenalty;
        metrics[StyleGanTrainer.METRIC_PL_MEAN] = plMean;
    }

    /**
     * NVlabs' Gpl: half a batch of fresh mixed fakes, y ~ N(0, 1) / sqrt(H W), pl_mean moved and
     * plGrads = weight x interval x grad_theta of the penalty; returns the unweighted penalty.
     */
    private double pathLength(long runSeed, int round, long step) {
        int n = config.plBatch();
        int cutoff = fakes(n, runSeed, round, step, StyleGanTrainer.PURPOSE_LATENT_PL, StyleGanTrainer.PURPOSE_MIX_PL,
                StyleGanTrainer.PURPOSE_NOISE_PL);
        new Rng(Seeds.derive(runSeed, round, data.worker(), step, StyleGanTrainer.PURPOSE_PL_PROJECTION))
                .fillGaussian(plValues, 0, n * imageFloats);
        INDArray y = plProjection.rows(n);
        HostArrays.load(y.reshape((long) n * imageFloats), plValues, 0);
        y.muli(1.0 / config.imageSize());
        PathLengthPenalty.Result r = pl.gradient(plProjection, n, cutoff, plMean, plGrads);
        plMean = r.plMean();
        plGrads.muli(config.plWeight() * StyleGanConfig.PL_INTERVAL);
        return r.penalty();
    }

    /**
     * Rows [0, batch) of {@code images} as D sees them: augmented with this round's p from a stream
     * of (seed, round, worker, step, purpose), in the pipeline's buffer (valid until its next
     * apply, and its backward is this call's); the images themselves when augmentation is off.
     */
    private Tensor augmented(Tensor images, long runSeed, int round, long step, long purpose) {
        if (augment == null) {
            return images;
        }
        return augment.apply(images, batch, p, Seeds.derive(runSeed, round, data.worker(), step, purpose));
    }

    /** D's logits for rows [0, n) of {@code images}. */
    private INDArray judge(Tensor images, int n) {
        d.input().rows(n).assign(images.rows(n));
        return d.forward(n).matrix(n);
    }

    /**
     * Maps two latents for each of n images, sets every style layer's w (layers below the cutoff from the
     * first, the rest from the second) and draws the noise maps; returns the cutoff (numWs when
     * this step does not mix). NVlabs draws one cutoff in [1, numWs) per batch.
     */
    private int fakes(int n, long runSeed, int round, long step, long latentPurpose, long mixPurpose, long noisePurpose) {
        int worker = data.worker();
        int floats = 2 * n * arch.latentDim();
        new Rng(Seeds.derive(runSeed, round, worker, step, latentPurpose)).fillGaussian(z, 0, floats);
        HostArrays.load(g.z().rows(2 * n).reshape(floats), z, 0);
        INDArray w = g.map(2 * n).matrix(2 * n);
        Rng mix = new Rng(Seeds.derive(runSeed, round, worker, step, mixPurpose));
        int numWs = arch.numWs();
        int cutoff = mix.nextDouble() < config.mixingProb() ? 1 + mix.nextInt(numWs - 1) : numWs;
        INDArray w1 = w.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
        INDArray w2 = w.get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all());
        for (int l = 0; l < numWs; l++) {
            g.wInput(l).matrix(n).assign(l < cutoff ? w1 : w2);
        }
        Rng noiseRng = new Rng(Seeds.derive(runSeed, round, worker, step, noisePurpose));
        for (Tensor map : noise) {
            float[] values = new float[n * map.rowSize()];
            noiseRng.fillGaussian(values, 0, values.length);
            HostArrays.load(map.rows(n).reshape(values.length), values);
        }
        return cutoff;
    }

    /** b real images drawn with replacement from this worker's images, NHWC in [-1, 1]. */
    private void drawReals(long runSeed, int round, long step) {
        Rng pick = new Rng(Seeds.derive(runSeed, round, data.worker(), step, StyleGanTrainer.PURPOSE_BATCH));
        for (int i = 0; i < indices.length; i++) {
            indices[i] = pick.nextInt(data.count());
        }
        data.batch(indices, pixels, null);
        HostArrays.load(realStored.rows(batch).reshape(pixels.length), pixels);
        PixelAdapter.storedToRgb(realStored.rows(batch), real.rows(batch));
    }

    /** G's parameters, whose moving average sampling uses. */
    @Override
    public Map<String, INDArray> emaSources() {
        return Map.of(StyleGanTrainer.G_EMA, g.params().values());
    }

    private void checkData(WorkerData wd) {
        int s = config.imageSize();
        if (wd.channels() != config.channels() || wd.height() != s || wd.width() != s) {
            throw new IllegalArgumentException("worker " + wd.worker() + " holds " + wd.channels() + "x" + wd.height() + "x"
                    + wd.width() + " images; this StyleGAN is configured for " + config.channels() + "x" + s + "x" + s);
        }
        if (wd.count() < 1) {
            throw new IllegalArgumentException("worker " + wd.worker() + " has no training images");
        }
    }
}
