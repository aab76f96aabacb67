package io.atelier.common.families.stylegan;

import io.atelier.common.io.InvalidSettingException;
import java.io.Serializable;

/**
 * Everything that fixes a StyleGAN2 run: geometry and network sizes, optimiser, regularisation and
 * moving averages. Immutable and serialisable (it travels to executors inside the trainer) and
 * recorded in the run's config.json.
 *
 * @param imageSize     side of the square images, a power of two >= 8
 * @param channels      1 (grey) or 3 (RGB)
 * @param latentDim     size of z and w
 * @param mappingLayers dense layers of the mapping network
 * @param width         channels of every synthesis and discriminator layer
 * @param batchSize     real (and fake) images per step and worker; a multiple of 4 or below 4 (minibatch std groups)
 * @param learningRate  Adam step size of both networks
 * @param beta1         Adam first-moment decay
 * @param beta2         Adam second-moment decay
 * @param r1Gamma       weight of the R1 penalty on reals; 0 turns it off
 * @param r1Interval    D steps between R1 steps (lazy regularisation)
 * @param mixingProb    probability that a step's fakes mix two w's at a random layer
 * @param emaKimg       half-life of the generator's moving average, in thousands of images seen by the run
 * @param workers       workers of the run (images seen per step are workers x batch)
 * @param augment       the augmentation of D's inputs (ADA); {@link StyleGanAugment#NONE} when absent
 * @param plWeight      weight of the path-length penalty, applied every {@link #PL_INTERVAL} G steps; 0 (also
 *                      when absent from an older config.json) turns it off
 */
public record StyleGanConfig(
        int imageSize,
        int channels,
        int latentDim,
        int mappingLayers,
        int width,
        int batchSize,
        double learningRate,
        double beta1,
        double beta2,
        double r1Gamma,
        int r1Interval,
        double mixingProb,
        double emaKimg,
        int workers,
        StyleGanAugment augment,
        double plWeight) implements Serializable {

    /** NVlabs' G_reg_interval: G steps between path-length steps (lazy regularisation). */
    public static final int PL_INTERVAL = 4;
    /** NVlabs' pl_batch_shrink: a path-length step takes this fraction of the batch. */
    public static final int PL_BATCH_SHRINK = 2;

    public StyleGanConfig {
        // A config.json written before ADA existed has no augmentation.
        augment = augment == null ? StyleGanAugment.NONE : augment;
        new StyleGanArchitecture(imageSize, channels, latentDim, mappingLayers, width);
        if (batchSize < 1 || (batchSize > StyleGanArchitecture.MBSTD_GROUP && batchSize % StyleGanArchitecture.MBSTD_GROUP != 0)) {
            throw new InvalidSettingException("{batch} " + batchSize + ": the minibatch std layer groups images by "
                    + StyleGanArchitecture.MBSTD_GROUP + "; use a multiple of " + StyleGanArchitecture.MBSTD_GROUP);
        }
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new InvalidSettingException("{lr} must be finite and > 0, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(r1Gamma >= 0 && Double.isFinite(r1Gamma))) {
            throw new InvalidSettingException("{r1Gamma} must be finite and >= 0, got " + r1Gamma);
        }
        if (r1Interval < 1) {
            throw new IllegalArgumentException("r1Interval must be >= 1, got " + r1Interval);
        }
        if (!(mixingProb >= 0 && mixingProb <= 1)) {
            throw new InvalidSettingException("{styleMixing} must be in [0, 1], got " + mixingProb);
        }
        if (!(emaKimg >= 0 && Double.isFinite(emaKimg))) {
            throw new InvalidSettingException("{emaKimg} must be finite and >= 0, got " + emaKimg);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        if (!(plWeight >= 0 && Double.isFinite(plWeight))) {
            throw new InvalidSettingException("{plWeight} must be finite and >= 0, got " + plWeight);
        }
    }

    /** Without path-length regularisation. */
    public StyleGanConfig(int imageSize, int channels, int latentDim, int mappingLayers, int width, int batchSize,
                          double learningRate, double beta1, double beta2, double r1Gamma, int r1Interval, double mixingProb,
                          double emaKimg, int workers, StyleGanAugment augment) {
        this(imageSize, channels, latentDim, mappingLayers, width, batchSize, learningRate, beta1, beta2, r1Gamma, r1Interval,
                mixingProb, emaKimg, workers, augment, 0);
    }

    /** Without augmentation. */
    public StyleGanConfig(int imageSize, int channels, int latentDim, int mappingLayers, int width, int batchSize,
                          double learningRate, double beta1, double beta2, double r1Gamma, int r1Interval, double mixingProb,
                          double emaKimg, int workers) {
        this(imageSize, channels, latentDim, mappingLayers, width, batchSize, learningRate, beta1, beta2, r1Gamma, r1Interval,
                mixingProb, emaKimg, workers, StyleGanAugment.NONE, 0);
    }

    /** The same model with another augmentation. */
    public StyleGanConfig withAugment(StyleGanAugment newAugment) {
        return new StyleGanConfig(imageSize, channels, latentDim, mappingLayers, width, batchSize, learningRate, beta1, beta2,
                r1Gamma, r1Interval, mixingProb, emaKimg, workers, newAugment, plWeight);
    }

    /** The same model with another path-length weight. */
    public StyleGanConfig withPlWeight(double newPlWeight) {
        return new StyleGanConfig(imageSize, channels, latentDim, mappingLayers, width, batchSize, learningRate, beta1, beta2,
                r1Gamma, r1Interval, mixingProb, emaKimg, workers, augment, newPlWeight);
    }

    /** Images of a path-length step: half the batch (at least one). */
    public int plBatch() {
        return Math.max(1, batchSize / PL_BATCH_SHRINK);
    }

    public StyleGanArchitecture architecture() {
        return new StyleGanArchitecture(imageSize, channels, latentDim, mappingLayers, width);
    }

    public int imageFloats() {
        return channels * imageSize * imageSize;
    }

    /**
     * The generator EMA's decay per step: NVlabs' 0.5^(images per step / half-life), with a step
     * seeing workers x batch images across the run; 0 (no averaging) for a half-life of 0.
     */
    public double emaDecay() {
        return emaKimg == 0 ? 0 : Math.pow(0.5, workers * (double) batchSize / (emaKimg * 1000));
    }

}
