package io.atelier.common.families.cyclegan;

import io.atelier.common.image.PixelAdapter;
import io.atelier.common.io.InvalidSettingException;
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

import java.util.Arrays;

/**
 * One executor's CycleGAN trainer: the four networks, their optimisers, this worker's two image
 * pools and every buffer a step needs, built once and reused across rounds. A step follows the
 * reference's order: the generators' update (adversarial, cycle and identity losses, with both
 * discriminators frozen), then each discriminator's update on real images and pooled fakes.
 *
 * <p>Each generator runs twice per step with the same weights: once on [real of its source
 * domain; real of its target domain] (translation and identity; instance norm is per image, so
 * stacking rows changes nothing) and once on the other generator's translations (the cycle).
 * The two passes are two instances over one {@link Params}; backward passes overwrite the
 * gradients, so the cycle pass's are kept aside and added after the first pass's backward.
 * Not thread-safe: one task at a time.
 */
final class CycleGanWorker implements ModelTrainer.LocalWorker {
    private static final double ADAM_EPS = 1e-8;

    private final CycleGanConfig config;
    private final int batch;
    private final int imageFloats;
    private final ResnetGenerator g1;
    private final ResnetGenerator g2;
    private final ResnetGenerator f1;
    private final ResnetGenerator f2;
    private final PatchDiscriminator dA;
    private final PatchDiscriminator dB;
    private final Params gParams;
    private final Params fParams;
    private final Params daParams;
    private final Params dbParams;
    private final AdamMoments gMoments;
    private final AdamMoments fMoments;
    private final AdamMoments daMoments;
    private final AdamMoments dbMoments;
    private final Adam adam;
    private final INDArray gCycleGrads;
    private final INDArray fCycleGrads;
    private final INDArray poolAImages;
    private final INDArray poolBImages;

    private final int[] indices;
    private final float[] pixels;
    private final Tensor stored;
    private final Tensor realA;
    private final Tensor realB;
    /** Copies of this step's translations, for the discriminators after the generators' update. */
    private final Tensor fakeA;
    private final Tensor fakeB;
    private final Tensor gradG1;
    private final Tensor gradF1;
    private final Tensor gradCycle;
    private final Tensor gradLogits;

    private TrainingState bound;
    private WorkerData data;
    private int[] domainAImages;
    private int[] domainBImages;
    private ImagePool poolA;
    private ImagePool poolB;

    CycleGanWorker(CycleGanConfig config) {
        this.config = config;
        CycleGanArchitecture arch = config.architecture();
        this.batch = config.batchSize();
        this.imageFloats = config.imageFloats();
        int b = batch;
        this.gParams = new Params(arch.generatorParams());
        this.fParams = new Params(arch.generatorParams());
        this.daParams = new Params(arch.discriminatorParams());
        this.dbParams = new Params(arch.discriminatorParams());
        this.g1 = new ResnetGenerator(arch, gParams, 2 * b);
        this.g2 = new ResnetGenerator(arch, gParams, b);
        this.f1 = new ResnetGenerator(arch, fParams, 2 * b);
        this.f2 = new ResnetGenerator(arch, fParams, b);
        this.dA = new PatchDiscriminator(arch, daParams, 2 * b);
        this.dB = new PatchDiscriminator(arch, dbParams, 2 * b);
        this.gMoments = new AdamMoments(gParams);
        this.fMoments = new AdamMoments(fParams);
        this.daMoments = new AdamMoments(daParams);
        this.dbMoments = new AdamMoments(dbParams);
        this.adam = new Adam(config.learningRate(), config.beta1(), config.beta2(), ADAM_EPS);
        this.gCycleGrads = gParams.grads().ulike();
        this.fCycleGrads = fParams.grads().ulike();
        this.poolAImages = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT,
                config.poolSize(), imageFloats);
        this.poolBImages = poolAImages.ulike();
        int c = config.channels();
        int s = config.imageSize();
        this.indices = new int[b];
        this.pixels = new float[b * imageFloats];
        this.stored = new Tensor(b, s, s, c);
        this.realA = new Tensor(b, s, s, c);
        this.realB = new Tensor(b, s, s, c);
        this.fakeA = new Tensor(b, s, s, c);
        this.fakeB = new Tensor(b, s, s, c);
        this.gradG1 = new Tensor(2L * b, s, s, c);
        this.gradF1 = new Tensor(2L * b, s, s, c);
        this.gradCycle = new Tensor(b, s, s, c);
        int p = arch.patchSide();
        this.gradLogits = new Tensor(2L * b, p, p, 1);
    }

    @Override
    public void bind(TrainingState state, WorkerData workerData) {
        checkData(workerData);
        CycleGanTrainer.checkState(config, state);
        this.data = workerData;
        this.bound = state;
        this.domainAImages = imagesOf(workerData, config.classesA());
        this.domainBImages = imagesOf(workerData, config.classesB());
        requireImages(workerData.worker(), domainAImages, "A", config.domainA().toString());
        requireImages(workerData.worker(), domainBImages, "B", config.domainB().toString());
        gParams.load(state.get(CycleGanTrainer.G_PARAMS));
        fParams.load(state.get(CycleGanTrainer.F_PARAMS));
        daParams.load(state.get(CycleGanTrainer.DA_PARAMS));
        dbParams.load(state.get(CycleGanTrainer.DB_PARAMS));
        gMoments.load(state.get(CycleGanTrainer.G_ADAM_M), state.get(CycleGanTrainer.G_ADAM_V));
        fMoments.load(state.get(CycleGanTrainer.F_ADAM_M), state.get(CycleGanTrainer.F_ADAM_V));
        daMoments.load(state.get(CycleGanTrainer.DA_ADAM_M), state.get(CycleGanTrainer.DA_ADAM_V));
        dbMoments.load(state.get(CycleGanTrainer.DB_ADAM_M), state.get(CycleGanTrainer.DB_ADAM_V));
        int w = workerData.worker();
        float[] counts = state.get(CycleGanTrainer.POOL_COUNTS);
        this.poolA = loadPool(poolAImages, state.get(CycleGanTrainer.POOL_A), w, (int) counts[2 * w]);
        this.poolB = loadPool(poolBImages, state.get(CycleGanTrainer.POOL_B), w, (int) counts[2 * w + 1]);
    }

    private ImagePool loadPool(INDArray images, float[] all, int worker, int count) {
        if (images.length() > 0) {
            HostArrays.load(images, all, worker * (int) images.length());
        }
        return new ImagePool(images, count);
    }

    /** Writes the networks back, and this worker's pools into its own slice (zeros elsewhere: the slices are summed). */
    @Override
    public void unbind(TrainingState state) {
        if (state != bound) {
            throw new IllegalStateException("unbinding a state that is not bound");
        }
        gParams.store(state.get(CycleGanTrainer.G_PARAMS));
        fParams.store(state.get(CycleGanTrainer.F_PARAMS));
        daParams.store(state.get(CycleGanTrainer.DA_PARAMS));
        dbParams.store(state.get(CycleGanTrainer.DB_PARAMS));
        gMoments.store(state.get(CycleGanTrainer.G_ADAM_M), state.get(CycleGanTrainer.G_ADAM_V));
        fMoments.store(state.get(CycleGanTrainer.F_ADAM_M), state.get(CycleGanTrainer.F_ADAM_V));
        daMoments.store(state.get(CycleGanTrainer.DA_ADAM_M), state.get(CycleGanTrainer.DA_ADAM_V));
        dbMoments.store(state.get(CycleGanTrainer.DB_ADAM_M), state.get(CycleGanTrainer.DB_ADAM_V));
        int w = data.worker();
        storePool(poolAImages, state.get(CycleGanTrainer.POOL_A), w);
        storePool(poolBImages, state.get(CycleGanTrainer.POOL_B), w);
        float[] counts = state.get(CycleGanTrainer.POOL_COUNTS);
        Arrays.fill(counts, 0f);
        counts[2 * w] = poolA.count();
        counts[2 * w + 1] = poolB.count();
        bound = null;
        data = null;
    }

    private static void storePool(INDArray images, float[] all, int worker) {
        Arrays.fill(all, 0f);
        if (images.length() > 0) {
            HostArrays.store(images, all, worker * (int) images.length());
        }
    }

    @Override
    public void step(long runSeed, int round, long step, double[] metrics) {
        int b = batch;
        int worker = data.worker();
        long adamT = step + 1;
        double lrFactor = config.learningRateFactor(round);
        drawReal(runSeed, round, step, CycleGanTrainer.PURPOSE_BATCH_A, domainAImages, realA);
        drawReal(runSeed, round, step, CycleGanTrainer.PURPOSE_BATCH_B, domainBImages, realB);

        // Translations and identities: G on [A; B], F on [B; A].
        stack(g1.input(), realA, realB);
        INDArray gOut = g1.forward(2 * b).rows(2 * b);
        stack(f1.input(), realB, realA);
        INDArray fOut = f1.forward(2 * b).rows(2 * b);
        fakeB.rows(b).assign(first(gOut, b));
        fakeA.rows(b).assign(first(fOut, b));
        // Cycles: F(G(A)) and G(F(B)).
        f2.input().rows(b).assign(fakeB.rows(b));
        INDArray recA = f2.forward(b).rows(b);
        g2.input().rows(b).assign(fakeA.rows(b));
        INDArray recB = g2.forward(b).rows(b);

        // Adversarial terms through the frozen discriminators: G wants D_B(G(A)) = 1, F wants D_A(F(B)) = 1.
        double advAB = adversarialGrad(dB, fakeB, first(gradG1.rows(2 * b), b));
        double advBA = adversarialGrad(dA, fakeA, first(gradF1.rows(2 * b), b));

        // Cycle A: |F(G(A)) - A| flows into F's cycle pass and on into G(A).
        float lc = (float) config.lambdaCycle();
        double cycleA = Losses.absoluteError(recA, realA.rows(b), gradCycle.rows(b));
        gradCycle.rows(b).muli(lc);
        INDArray intoFakeB = f2.backward(gradCycle, b, true).rows(b);
        fCycleGrads.assign(fParams.grads());
        first(gradG1.rows(2 * b), b).addi(intoFakeB);
        // Cycle B: |G(F(B)) - B| flows into G's cycle pass and on into F(B).
        double cycleB = Losses.absoluteError(recB, realB.rows(b), gradCycle.rows(b));
        gradCycle.rows(b).muli(lc);
        INDArray intoFakeA = g2.backward(gradCycle, b, true).rows(b);
        gCycleGrads.assign(gParams.grads());
        first(gradF1.rows(2 * b), b).addi(intoFakeA);

        // Identity: G(B) should be B and F(A) should be A.
        float li = (float) (config.lambdaCycle() * config.lambdaIdentity());
        INDArray gradIdtA = second(gradG1.rows(2 * b), b);
        INDArray gradIdtB = second(gradF1.rows(2 * b), b);
        double identityA = Losses.absoluteError(second(gOut, b), realB.rows(b), gradIdtA);
        double identityB = Losses.absoluteError(second(fOut, b), realA.rows(b), gradIdtB);
        gradIdtA.muli(li);
        gradIdtB.muli(li);

        g1.backward(gradG1, 2 * b, false);
        gParams.grads().addi(gCycleGrads);
        f1.backward(gradF1, 2 * b, false);
        fParams.grads().addi(fCycleGrads);
        double gNorm = Math.sqrt(square(gParams.gradNorm()) + square(fParams.gradNorm()));
        adam.step(gParams, gMoments, adamT, lrFactor);
        adam.step(fParams, fMoments, adamT, lrFactor);

        // Discriminators on real images and pooled fakes of their domain.
        poolA.query(fakeA.matrix(b), new Rng(Seeds.derive(runSeed, round, worker, step, CycleGanTrainer.PURPOSE_POOL_A)));
        poolB.query(fakeB.matrix(b), new Rng(Seeds.derive(runSeed, round, worker, step, CycleGanTrainer.PURPOSE_POOL_B)));
        double lossDA = discriminatorStep(dA, daParams, daMoments, realA, fakeA, adamT, lrFactor);
        double lossDB = discriminatorStep(dB, dbParams, dbMoments, realB, fakeB, adamT, lrFactor);

        double gLoss = advAB + advBA + lc * (cycleA + cycleB) + li * (identityA + identityB);
        metrics[0] = gLoss;
        metrics[1] = advAB;
        metrics[2] = advBA;
        metrics[3] = cycleA;
        metrics[4] = cycleB;
        metrics[5] = identityA;
        metrics[6] = identityB;
        metrics[7] = lossDA;
        metrics[8] = lossDB;
        metrics[9] = gNorm;
    }

    private static double square(double v) {
        return v * v;
    }

    /** LSGAN loss of D(fake) against 1; writes d loss / d fake into {@code gradFake}. */
    private double adversarialGrad(PatchDiscriminator d, Tensor fake, INDArray gradFake) {
        int b = batch;
        d.input().rows(b).assign(fake.rows(b));
        INDArray logits = d.forward(b).rows(b);
        double loss = Losses.squaredError(logits, gradLogits.rows(b), 1f);
        gradFake.assign(d.backward(gradLogits, b, Layer.Grads.INPUT).rows(b));
        return loss;
    }

    /** One update of D on [real; fake]: 0.5 * (mean (D(real) - 1)^2 + mean D(fake)^2). */
    private double discriminatorStep(PatchDiscriminator d, Params params, AdamMoments moments, Tensor real, Tensor fake,
                                     long adamT, double lrFactor) {
        int b = batch;
        stack(d.input(), real, fake);
        INDArray logits = d.forward(2 * b).rows(2 * b);
        INDArray grads = gradLogits.rows(2 * b);
        double lossReal = Losses.squaredError(first(logits, b), first(grads, b), 1f);
        double lossFake = Losses.squaredError(second(logits, b), second(grads, b), 0f);
        grads.muli(0.5f);
        d.backward(gradLogits, 2 * b, Layer.Grads.PARAMS);
        adam.step(params, moments, adamT, lrFactor);
        return 0.5 * (lossReal + lossFake);
    }

    /** Writes {@code top} into rows [0, b) of {@code into} and {@code bottom} into rows [b, 2b). */
    private void stack(Tensor into, Tensor top, Tensor bottom) {
        int b = batch;
        INDArray rows = into.rows(2 * b);
        first(rows, b).assign(top.rows(b));
        second(rows, b).assign(bottom.rows(b));
    }

    private static INDArray first(INDArray rows, int b) {
        return rows.get(NDArrayIndex.interval(0, b));
    }

    private static INDArray second(INDArray rows, int b) {
        return rows.get(NDArrayIndex.interval(b, 2 * b));
    }

    /** b images of one domain, drawn with replacement from this worker's images of it, as NHWC in [-1, 1]. */
    private void drawReal(long runSeed, int round, long step, long purpose, int[] domainImages, Tensor into) {
        Rng pick = new Rng(Seeds.derive(runSeed, round, data.worker(), step, purpose));
        for (int i = 0; i < indices.length; i++) {
            indices[i] = domainImages[pick.nextInt(domainImages.length)];
        }
        data.batch(indices, pixels, null);
        HostArrays.load(stored.rows(batch).reshape(pixels.length), pixels);
        PixelAdapter.storedToRgb(stored.rows(batch), into.rows(batch));
    }

    /** Indices (in the worker's fixed order) of the images whose class is one of {@code classes}. */
    private static int[] imagesOf(WorkerData wd, java.util.List<Integer> classes) {
        int[] labels = wd.labels();
        return java.util.stream.IntStream.range(0, wd.count()).filter(i -> classes.contains(labels[i])).toArray();
    }

    private static void requireImages(int worker, int[] images, String domain, String labels) {
        if (images.length == 0) {
            throw new InvalidSettingException("worker " + worker + " has no training images of domain " + domain + " "
                    + labels + ": use fewer {workers}, or re-ingest with more {shards} so that each worker's shards hold both domains");
        }
    }

    private void checkData(WorkerData wd) {
        int s = config.imageSize();
        if (wd.channels() != config.channels() || wd.height() != s || wd.width() != s) {
            throw new IllegalArgumentException("worker " + wd.worker() + " holds " + wd.channels() + "x" + wd.height() + "x"
                    + wd.width() + " images; this CycleGAN is configured for " + config.channels() + "x" + s + "x" + s);
        }
        if (wd.worker() < 0 || wd.worker() >= config.workers()) {
            throw new IllegalArgumentException("worker " + wd.worker() + " outside the run's " + config.workers() + " workers");
        }
    }
}
