package io.atelier.common.families.dcgan;

import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.Seeds;

/**
 * Images from the EMA generator of a training state, in evaluation mode (batch norm with the
 * EMA running statistics), so an image depends only on its own (seed, index, label) and never
 * on the batch it was generated in. Built once per executor; not thread-safe.
 */
public final class DcganSampler {
    private final DcganConfig config;
    private final DcganGenerator generator;
    private final float[] z;
    private final int[] labels;

    DcganSampler(DcganConfig config, int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        }
        this.config = config;
        this.generator = new DcganGenerator(DcganTrainer.architecture(config), maxRows);
        this.z = new float[maxRows * config.latentDim()];
        this.labels = new int[maxRows];
    }

    /** The noise vector of sample {@code index} under {@code seed}: a function of the two alone. */
    public static void latent(long seed, long index, float[] out, int offset, int latentDim) {
        new Rng(Seeds.derive(seed, index)).fillGaussian(out, offset, latentDim);
    }

    /**
     * Images for samples {@code indices[i]} of {@code seed} with class {@code labels[i]} (ignored,
     * and may be -1, when unconditional). Returns NHWC floats in [-1, 1], one image per index.
     */
    public float[] generate(TrainingState state, long seed, long[] indices, int[] labels) {
        if (labels.length != indices.length) {
            throw new IllegalArgumentException(indices.length + " sample indices but " + labels.length + " labels");
        }
        generator.params().load(state.get(DcganTrainer.G_EMA));
        generator.stats().load(state.get(DcganTrainer.G_EMA_STATS));
        int size = config.imageFloats();
        float[] out = new float[indices.length * size];
        int batch = generator.maxRows();
        int zd = config.latentDim();
        for (int start = 0; start < indices.length; start += batch) {
            int n = Math.min(batch, indices.length - start);
            for (int r = 0; r < n; r++) {
                latent(seed, indices[start + r], z, r * zd, zd);
                int label = labels[start + r];
                if (config.conditional() && (label < 0 || label >= config.numClasses())) {
                    throw new IllegalArgumentException("sample " + indices[start + r] + ": label " + label
                            + " outside [0, " + config.numClasses() + ")");
                }
                this.labels[r] = label;
            }
            generator.setInput(z, this.labels, n);
            Tensor images = generator.forward(n, Layer.Pass.EVAL);
            HostArrays.store(DcganGenerator.flat(images.matrix(n)), out, start * size);
        }
        return out;
    }
}
