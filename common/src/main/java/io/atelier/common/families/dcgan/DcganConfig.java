package io.atelier.common.families.dcgan;

import io.atelier.common.data.Manifest;

import java.io.Serializable;
import java.util.List;

/**
 * Everything that fixes a DCGAN: image geometry, network widths, optimiser and EMA settings,
 * batch size, and optional class conditioning. Immutable and serialisable (it travels to
 * executors inside the trainer).
 *
 * @param imageSize          side of the square images: 28, 32 or 64
 * @param channels           1 (grey) or 3 (RGB)
 * @param latentDim          size of the noise vector z
 * @param generatorWidth     channels of the generator's last hidden layer; earlier layers double it
 * @param discriminatorWidth channels of the discriminator's first layer; later layers double it
 * @param learningRate       Adam step size for both networks
 * @param beta1              Adam first-moment decay
 * @param beta2              Adam second-moment decay
 * @param batchSize          real images (and fake images) per step and worker
 * @param emaDecay           decay of the generator's exponential moving average, used for sampling
 * @param conditional        whether both networks see class labels
 * @param numClasses         number of classes when conditional (0 otherwise)
 * @param labelEmbedding     size of the label embedding concatenated to z when conditional
 */
public record DcganConfig(
        int imageSize,
        int channels,
        int latentDim,
        int generatorWidth,
        int discriminatorWidth,
        double learningRate,
        double beta1,
        double beta2,
        int batchSize,
        double emaDecay,
        boolean conditional,
        int numClasses,
        int labelEmbedding) implements Serializable {

    public static final List<Integer> IMAGE_SIZES = List.of(28, 32, 64);

    public DcganConfig {
        if (!IMAGE_SIZES.contains(imageSize)) {
            throw new IllegalArgumentException("DCGAN image size must be one of " + IMAGE_SIZES + ", got " + imageSize);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("DCGAN channels must be 1 or 3, got " + channels);
        }
        positive("latentDim", latentDim);
        positive("generatorWidth", generatorWidth);
        positive("discriminatorWidth", discriminatorWidth);
        positive("batchSize", batchSize);
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(emaDecay >= 0 && emaDecay <= 1)) {
            throw new IllegalArgumentException("emaDecay must be in [0, 1], got " + emaDecay);
        }
        if (conditional) {
            if (numClasses < 2) {
                throw new IllegalArgumentException("a conditional DCGAN needs at least 2 classes, got " + numClasses);
            }
            positive("labelEmbedding", labelEmbedding);
        } else if (numClasses != 0) {
            throw new IllegalArgumentException("numClasses must be 0 for an unconditional DCGAN, got " + numClasses);
        }
    }

    /** The reference network: 28x28x1, z of 100, widths 64, Adam 2e-4 (0.5, 0.999), batch 64. */
    public static DcganConfig reference() {
        return defaults(28, 1);
    }

    public static DcganConfig defaults(int imageSize, int channels) {
        return new DcganConfig(imageSize, channels, 100, 64, 64, 2e-4, 0.5, 0.999, 64, 0.999, false, 0, 0);
    }

    /**
     * Sized from a dataset: square images of a supported size, its channels, and (when
     * {@code conditional}) one class per label name.
     */
    public static DcganConfig forManifest(Manifest manifest, boolean conditional) {
        if (manifest.height() != manifest.width()) {
            throw new IllegalArgumentException("DCGAN needs square images; the dataset's are "
                    + manifest.height() + "x" + manifest.width() + " (re-ingest with a square size)");
        }
        DcganConfig c = defaults(manifest.height(), manifest.channels());
        if (conditional) {
            List<String> names = manifest.labelNames() == null ? List.of() : manifest.labelNames();
            if (names.size() < 2) {
                throw new IllegalArgumentException("a conditional DCGAN needs a labelled dataset with at least 2 labels; this one has "
                        + names.size());
            }
            c = c.withConditional(names.size());
        }
        return c;
    }

    public DcganConfig withBatchSize(int batch) {
        return new DcganConfig(imageSize, channels, latentDim, generatorWidth, discriminatorWidth, learningRate, beta1,
                beta2, batch, emaDecay, conditional, numClasses, labelEmbedding);
    }

    public DcganConfig withWidths(int generator, int discriminator) {
        return new DcganConfig(imageSize, channels, latentDim, generator, discriminator, learningRate, beta1, beta2,
                batchSize, emaDecay, conditional, numClasses, labelEmbedding);
    }

    public DcganConfig withLatentDim(int dim) {
        return new DcganConfig(imageSize, channels, dim, generatorWidth, discriminatorWidth, learningRate, beta1, beta2,
                batchSize, emaDecay, conditional, numClasses, labelEmbedding);
    }

    public DcganConfig withLearningRate(double lr) {
        return new DcganConfig(imageSize, channels, latentDim, generatorWidth, discriminatorWidth, lr, beta1, beta2,
                batchSize, emaDecay, conditional, numClasses, labelEmbedding);
    }

    public DcganConfig withEmaDecay(double decay) {
        return new DcganConfig(imageSize, channels, latentDim, generatorWidth, discriminatorWidth, learningRate, beta1,
                beta2, batchSize, decay, conditional, numClasses, labelEmbedding);
    }

    /** Class-conditional with {@code classes} classes and a label embedding of 50. */
    public DcganConfig withConditional(int classes) {
        return new DcganConfig(imageSize, channels, latentDim, generatorWidth, discriminatorWidth, learningRate, beta1,
                beta2, batchSize, emaDecay, true, classes, 50);
    }

    /** Side of the first feature map: 7 for 28-pixel images, 4 otherwise. */
    public int startSize() {
        return imageSize == 28 ? 7 : 4;
    }

    /** Stride-2 stages between the first feature map and the image. */
    public int stages() {
        return Integer.numberOfTrailingZeros(imageSize / startSize());
    }

    /** Floats per image. */
    public int imageFloats() {
        return channels * imageSize * imageSize;
    }

    /** Generator input width: z plus the label embedding when conditional. */
    public int generatorInput() {
        return latentDim + (conditional ? labelEmbedding : 0);
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }
}
