package io.atelier.common.families.cyclegan;

import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.GroupNormAct;
import io.atelier.common.nn.ParamLayout;

import java.io.Serializable;

/**
 * The shape of CycleGAN's networks (Zhu et al. 2017, as in junyanz/pytorch-CycleGAN-and-pix2pix)
 * and the parameter layouts both sides of training agree on. Both generators share one layout,
 * and so do both discriminators.
 *
 * <p>Generator (ResnetGenerator), with ngf = {@code generatorWidth}: c7s1-ngf (reflection pad 3,
 * 7x7 convolution, instance norm, ReLU); d(2 ngf) and d(4 ngf) (3x3 convolution, stride 2, pad 1,
 * instance norm, ReLU); {@code residualBlocks} blocks of [reflection pad 1, 3x3 convolution,
 * instance norm, ReLU, reflection pad 1, 3x3 convolution, instance norm] plus the skip; two
 * upsamplings (transposed convolution, instance norm, ReLU) to 2 ngf and ngf; reflection pad 3,
 * 7x7 convolution to {@code channels}, tanh. PyTorch upsamples with k3 s2 p1 and output padding
 * 1; the upsamplings here use k4 s2 p1, which gives the same output size (twice the input) with
 * no output padding, and 16 rather than 9 weights per channel pair.
 *
 * <p>Discriminator (70x70 PatchGAN, NLayerDiscriminator), with ndf = {@code discriminatorWidth}
 * and n = {@code discriminatorLayers}: 4x4 convolution stride 2 pad 1 to ndf and leaky ReLU 0.2
 * (no norm); n - 1 times [4x4 convolution stride 2 pad 1 to min(2^i, 8) ndf, instance norm,
 * leaky ReLU]; 4x4 convolution stride 1 pad 1 to min(2^n, 8) ndf, instance norm, leaky ReLU;
 * 4x4 convolution stride 1 pad 1 to one logit per patch.
 *
 * <p>Every convolution has a bias; weights start N(0, 0.02) and biases at 0 (junyanz's
 * {@code init_weights('normal')}); the instance norms learn gamma and beta from 1 and 0 (see
 * {@link GroupNormAct}). With the defaults at 32x32 RGB (ngf = ndf = 32, 6 residual blocks,
 * 2 discriminator layers) a generator has 2,040,451 parameters and a discriminator 168,033.
 */
public record CycleGanArchitecture(int imageSize, int channels, int generatorWidth, int residualBlocks,
                                   int discriminatorWidth, int discriminatorLayers) implements Serializable {

    /** junyanz's {@code init_weights('normal')}: N(0, 0.02) convolution weights. */
    public static final double INIT_STD = 0.02;
    /** Kernel of the first and last generator convolutions, and their reflection padding. */
    public static final int OUTER_KERNEL = 7;
    public static final int OUTER_PAD = 3;
    /** The generator's downsampling (k3 s2 p1) and upsampling (transposed k4 s2 p1) convolutions. */
    public static final int DOWN_KERNEL = 3;
    public static final int UP_KERNEL = 4;
    /** The PatchGAN's 4x4 kernels with padding 1. */
    public static final int PATCH_KERNEL = 4;
    /** The PatchGAN's widest layer, in multiples of ndf. */
    public static final int MAX_WIDTH_MULTIPLE = 8;

    public CycleGanArchitecture {
        if (imageSize < 8 || imageSize % 4 != 0) {
            throw new IllegalArgumentException("imageSize must be a multiple of 4 and at least 8 (two stride-2 downsamplings,"
                    + " then reflection padding of the quarter-size maps), got " + imageSize);
        }
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        if (generatorWidth < 1) {
            throw new IllegalArgumentException("generatorWidth must be >= 1, got " + generatorWidth);
        }
        if (residualBlocks < 0) {
            throw new IllegalArgumentException("residualBlocks must be >= 0, got " + residualBlocks);
        }
        if (discriminatorWidth < 1) {
            throw new IllegalArgumentException("discriminatorWidth must be >= 1, got " + discriminatorWidth);
        }
        if (discriminatorLayers < 1) {
            throw new IllegalArgumentException("discriminatorLayers must be >= 1, got " + discriminatorLayers);
        }
        if (patchSide(imageSize, discriminatorLayers) < 1) {
            throw new IllegalArgumentException("discriminatorLayers " + discriminatorLayers + " leaves no patch map on a "
                    + imageSize + "px image; use at most " + maxDiscriminatorLayers(imageSize));
        }
    }

    /** 3 (the 70x70 PatchGAN) from 64 px up, 2 below, so that a 28 or 32 px image still gets a patch map of 5x5 or 6x6. */
    public static int defaultDiscriminatorLayers(int imageSize) {
        return imageSize >= 64 ? 3 : 2;
    }

    /** 6 blocks up to 128 px, 9 above (junyanz's resnet_6blocks and resnet_9blocks). */
    public static int defaultResidualBlocks(int imageSize) {
        return imageSize <= 128 ? 6 : 9;
    }

    /** Side of the generator's residual maps: a quarter of the image. */
    public int innerSize() {
        return imageSize / 4;
    }

    /** Generator channels: ngf at full size, 2 ngf at half, 4 ngf in the residual blocks. */
    public int generatorChannels(int downsamplings) {
        return generatorWidth << downsamplings;
    }

    /** Output channels of discriminator convolution {@code layer} (0 to n; layer n + 1 is the one-logit head). */
    public int discriminatorChannels(int layer) {
        return Math.min(1 << layer, MAX_WIDTH_MULTIPLE) * discriminatorWidth;
    }

    /** Side of the discriminator's logit map: the image side halved n times, then less 1 for each stride-1 layer. */
    public int patchSide() {
        return patchSide(imageSize, discriminatorLayers);
    }

    /**
     * Side in pixels of the image window one logit sees: r = 1, then r = (r - 1) s + k for each
     * layer from the head back to the image (two stride-1 and n stride-2 4x4 layers).
     */
    public int receptiveField() {
        int r = 1;
        for (int i = 0; i < 2; i++) {
            r = r - 1 + PATCH_KERNEL;
        }
        for (int i = 0; i < discriminatorLayers; i++) {
            r = (r - 1) * 2 + PATCH_KERNEL;
        }
        return r;
    }

    /**
     * Multiply-adds of one generator forward pass per image, convolutions only (norms, padding,
     * activations and biases are left out). A convolution counts output pixels x in x out x k^2,
     * padded positions included; a transposed convolution counts input pixels x in x out x k^2
     * (every input pixel scatters a full kernel, whatever lands outside the output included).
     */
    public long generatorMacsPerImage() {
        int s = imageSize;
        int pad = OUTER_PAD;
        int side = Conv2d.outSize(false, s + 2 * pad, OUTER_KERNEL, 1, 0);
        long macs = convMacs(side, channels, generatorChannels(0), OUTER_KERNEL);
        for (int i = 1; i <= 2; i++) {
            side = Conv2d.outSize(false, side, DOWN_KERNEL, 2, 1);
            macs += convMacs(side, generatorChannels(i - 1), generatorChannels(i), DOWN_KERNEL);
        }
        // Each block: two 3x3 convolutions over the reflection-padded map, which keep its side.
        macs += 2L * residualBlocks * convMacs(side, generatorChannels(2), generatorChannels(2), DOWN_KERNEL);
        for (int i = 1; i <= 2; i++) {
            macs += convMacs(side, generatorChannels(3 - i), generatorChannels(2 - i), UP_KERNEL);
            side = Conv2d.outSize(true, side, UP_KERNEL, 2, 1);
        }
        side = Conv2d.outSize(false, side + 2 * pad, OUTER_KERNEL, 1, 0);
        return macs + convMacs(side, generatorChannels(0), channels, OUTER_KERNEL);
    }

    /** Multiply-adds of one discriminator forward pass per image, counted as {@link #generatorMacsPerImage()} does. */
    public long discriminatorMacsPerImage() {
        int side = Conv2d.outSize(false, imageSize, PATCH_KERNEL, 2, 1);
        long macs = convMacs(side, channels, discriminatorChannels(0), PATCH_KERNEL);
        for (int i = 1; i <= discriminatorLayers; i++) {
            side = Conv2d.outSize(false, side, PATCH_KERNEL, i < discriminatorLayers ? 2 : 1, 1);
            macs += convMacs(side, discriminatorChannels(i - 1), discriminatorChannels(i), PATCH_KERNEL);
        }
        side = Conv2d.outSize(false, side, PATCH_KERNEL, 1, 1);
        return macs + convMacs(side, discriminatorChannels(discriminatorLayers), 1, PATCH_KERNEL);
    }

    /** side^2 positions x in x out x k^2: a convolution's output side, or a transposed one's input side. */
    private static long convMacs(int side, int in, int out, int k) {
        return (long) side * side * in * out * k * k;
    }

    public ParamLayout generatorParams() {
        ParamLayout.Builder p = ParamLayout.builder();
        int ngf = generatorWidth;
        conv(p, "stem", false, channels, ngf, OUTER_KERNEL);
        GroupNormAct.register(p, "stem_norm", ngf);
        for (int i = 1; i <= 2; i++) {
            conv(p, "down" + i, false, generatorChannels(i - 1), generatorChannels(i), DOWN_KERNEL);
            GroupNormAct.register(p, "down" + i + "_norm", generatorChannels(i));
        }
        for (int b = 0; b < residualBlocks; b++) {
            ResidualBlock.register(p, "res" + b, generatorChannels(2));
        }
        for (int i = 1; i <= 2; i++) {
            conv(p, "up" + i, true, generatorChannels(3 - i), generatorChannels(2 - i), UP_KERNEL);
            GroupNormAct.register(p, "up" + i + "_norm", generatorChannels(2 - i));
        }
        conv(p, "out", false, ngf, channels, OUTER_KERNEL);
        return p.build();
    }

    public ParamLayout discriminatorParams() {
        ParamLayout.Builder p = ParamLayout.builder();
        conv(p, "conv0", false, channels, discriminatorChannels(0), PATCH_KERNEL);
        for (int i = 1; i <= discriminatorLayers; i++) {
            conv(p, "conv" + i, false, discriminatorChannels(i - 1), discriminatorChannels(i), PATCH_KERNEL);
            GroupNormAct.register(p, "conv" + i + "_norm", discriminatorChannels(i));
        }
        conv(p, "head", false, discriminatorChannels(discriminatorLayers), 1, PATCH_KERNEL);
        return p.build();
    }

    static void conv(ParamLayout.Builder p, String name, boolean transposed, int in, int out, int k) {
        Conv2d.register(p, name, transposed, in, out, k, INIT_STD);
    }

    private static int patchSide(int imageSize, int layers) {
        int side = imageSize;
        for (int i = 0; i < layers; i++) {
            // A 4x4 window fits a padded side of side + 2 only from side 2 on.
            side = side < 2 ? 0 : Conv2d.outSize(false, side, PATCH_KERNEL, 2, 1);
        }
        // Two stride-1 4x4 layers with padding 1 each take one off the side.
        return side - 2;
    }

    private static int maxDiscriminatorLayers(int imageSize) {
        int n = 0;
        while (patchSide(imageSize, n + 1) >= 1) {
            n++;
        }
        return n;
    }
}
