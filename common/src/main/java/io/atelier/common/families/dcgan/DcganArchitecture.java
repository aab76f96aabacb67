package io.atelier.common.families.dcgan;

import io.atelier.common.nn.BatchNormAct;
import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.Dense;
import io.atelier.common.nn.ParamLayout;

import java.io.Serializable;

/**
 * The shape of a DCGAN generator/discriminator pair and the parameter layouts both sides of
 * training agree on. For 28x28 images the networks start from 7x7 feature maps, otherwise from
 * 4x4; each stage doubles the side with k4 s2 p1 (transposed) convolutions and halves (or, in
 * the discriminator, doubles) the channels. At 28x28x1 with widths 64 this is the reference
 * network: G z -> Linear 6272 + BN + ReLU -> 128x7x7 -> ConvT 64 + BN + ReLU -> ConvT 1 + tanh,
 * D Conv 64 + LReLU -> Conv 128 + BN + LReLU -> Linear 6272 -> 1. Activations are NHWC, so
 * the 6272 flat features are in (h, w, c) order rather than PyTorch's (c, h, w): the same
 * network up to a fixed permutation of the linear layers' units.
 *
 * @param numClasses     0 for an unconditional pair; otherwise labels index a generator
 *                       embedding concatenated to z and a projection embedding in D
 * @param labelEmbedding size of the generator's label embedding (ignored when unconditional)
 */
public record DcganArchitecture(int imageSize, int channels, int latentDim, int generatorWidth,
                                int discriminatorWidth, int numClasses, int labelEmbedding) implements Serializable {

    public static final int KERNEL = 4;
    public static final int STRIDE = 2;
    public static final int PAD = 1;
    /** DCGAN's initialisation: N(0, 0.02) weights, N(1, 0.02) batch-norm scales. */
    public static final double INIT_STD = 0.02;

    public DcganArchitecture {
        int start = imageSize == 28 ? 7 : 4;
        if (imageSize % start != 0 || Integer.bitCount(imageSize / start) != 1 || imageSize / start < 2) {
            throw new IllegalArgumentException("unsupported DCGAN image size " + imageSize + " (use 28, 32 or 64)");
        }
        if (numClasses < 0 || numClasses == 1) {
            throw new IllegalArgumentException("numClasses must be 0 (unconditional) or >= 2, got " + numClasses);
        }
    }

    public boolean conditional() {
        return numClasses > 0;
    }

    public int startSize() {
        return imageSize == 28 ? 7 : 4;
    }

    public int stages() {
        return Integer.numberOfTrailingZeros(imageSize / startSize());
    }

    public int generatorInput() {
        return latentDim + (conditional() ? labelEmbedding : 0);
    }

    /** Generator channels at stage i (0 = the first feature map), the last hidden one being the width. */
    public int generatorChannels(int stage) {
        return generatorWidth << (stages() - 1 - stage);
    }

    public int discriminatorChannels(int stage) {
        return discriminatorWidth << stage;
    }

    /** Flattened size of the discriminator's last feature map (the input of its linear head). */
    public int discriminatorFeatures() {
        return discriminatorChannels(stages() - 1) * startSize() * startSize();
    }

    /** Multiply-adds of one generator forward pass per sample. */
    public long generatorMacs() {
        int s0 = startSize();
        long macs = (long) generatorInput() * generatorChannels(0) * s0 * s0;
        int side = s0;
        for (int i = 1; i < stages(); i++) {
            macs += (long) side * side * generatorChannels(i - 1) * generatorChannels(i) * KERNEL * KERNEL;
            side *= 2;
        }
        return macs + (long) side * side * generatorChannels(stages() - 1) * channels * KERNEL * KERNEL;
    }

    /** Multiply-adds of one discriminator forward pass per sample. */
    public long discriminatorMacs() {
        long macs = 0;
        int side = imageSize;
        int in = channels;
        for (int i = 0; i < stages(); i++) {
            side /= 2;
            macs += (long) side * side * in * discriminatorChannels(i) * KERNEL * KERNEL;
            in = discriminatorChannels(i);
        }
        return macs + discriminatorFeatures() * (conditional() ? 2L : 1L);
    }

    public ParamLayout generatorParams() {
        ParamLayout.Builder p = ParamLayout.builder();
        registerGenerator(p, ParamLayout.builder());
        return p.build();
    }

    public ParamLayout generatorStats() {
        ParamLayout.Builder s = ParamLayout.builder();
        registerGenerator(ParamLayout.builder(), s);
        return s.build();
    }

    public ParamLayout discriminatorParams() {
        ParamLayout.Builder p = ParamLayout.builder();
        registerDiscriminator(p, ParamLayout.builder());
        return p.build();
    }

    public ParamLayout discriminatorStats() {
        ParamLayout.Builder s = ParamLayout.builder();
        registerDiscriminator(ParamLayout.builder(), s);
        return s.build();
    }

    private void registerGenerator(ParamLayout.Builder p, ParamLayout.Builder s) {
        if (conditional()) {
            // nn.Embedding's N(0, 1), on the same scale as z.
            p.add("label_embedding", ParamLayout.Init.NORMAL, 1.0, numClasses, labelEmbedding);
        }
        int s0 = startSize();
        int c0 = generatorChannels(0);
        Dense.register(p, "fc", generatorInput(), c0 * s0 * s0, INIT_STD);
        BatchNormAct.register(p, s, "fc_bn", c0 * s0 * s0);
        for (int i = 1; i < stages(); i++) {
            Conv2d.register(p, "up" + i, true, generatorChannels(i - 1), generatorChannels(i), KERNEL, INIT_STD);
            BatchNormAct.register(p, s, "up" + i + "_bn", generatorChannels(i));
        }
        Conv2d.register(p, "out", true, generatorChannels(stages() - 1), channels, KERNEL, INIT_STD);
    }

    private void registerDiscriminator(ParamLayout.Builder p, ParamLayout.Builder s) {
        Conv2d.register(p, "conv0", false, channels, discriminatorChannels(0), KERNEL, INIT_STD);
        for (int i = 1; i < stages(); i++) {
            Conv2d.register(p, "conv" + i, false, discriminatorChannels(i - 1), discriminatorChannels(i), KERNEL, INIT_STD);
            BatchNormAct.register(p, s, "conv" + i + "_bn", discriminatorChannels(i));
        }
        Dense.register(p, "fc", discriminatorFeatures(), 1, INIT_STD);
        if (conditional()) {
            p.add("class_embedding", ParamLayout.Init.NORMAL, INIT_STD, numClasses, discriminatorFeatures());
        }
    }
}
