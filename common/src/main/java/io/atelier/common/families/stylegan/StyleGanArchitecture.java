package io.atelier.common.families.stylegan;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.nn.EqualizedConv2d;
import io.atelier.common.nn.EqualizedDense;
import io.atelier.common.nn.ModulatedConv2d;
import io.atelier.common.nn.ParamLayout;

import java.io.Serializable;

/**
 * The networks' geometry and parameter layouts. Generator: a mapping network of
 * {@code mappingLayers} equalised dense layers (lr multiplier 0.01) from the normalised z to w,
 * then the skip synthesis network: a learned 4x4 constant, one modulated 3x3 layer at 4x4 and two
 * at every doubled resolution (the first after 2x upsampling), each with noise, bias and scaled
 * leaky ReLU, and a modulated 1x1 toRGB per resolution whose images are upsampled and summed.
 * Every layer has {@code width} channels. Discriminator: residual, fromRGB at full size, one block
 * per halving down to 4x4, then minibatch std (group 4), a 3x3 convolution, a dense layer and the
 * logit.
 *
 * @param imageSize     side of the square images, a power of two >= 8
 * @param channels      image channels (1 or 3)
 * @param latentDim     size of z and of w
 * @param mappingLayers dense layers of the mapping network
 * @param width         channels of every synthesis and discriminator layer
 */
public record StyleGanArchitecture(int imageSize, int channels, int latentDim, int mappingLayers, int width)
        implements Serializable {
    /** NVlabs' lr multiplier of the mapping network. */
    public static final double MAPPING_LR_MUL = 0.01;
    /** NVlabs' minibatch std group. */
    public static final int MBSTD_GROUP = 4;

    public StyleGanArchitecture {
        requireImageSize(imageSize);
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("StyleGAN needs 1 (grey) or 3 (RGB) channels, got " + channels);
        }
        if (latentDim < 1 || mappingLayers < 1 || width < 1) {
            throw new IllegalArgumentException("latent size, mapping layers and channels must be >= 1, got " + latentDim + ", "
                    + mappingLayers + " and " + width);
        }
    }

    /** One line before training when the images cannot be a synthesis network's output. */
    public static void requireImageSize(int size) {
        if (size < 8 || Integer.bitCount(size) != 1) {
            throw new InvalidSettingException("StyleGAN needs square images whose side is a power of two >= 8; the dataset's"
                    + " are " + size + " px (re-ingest with {size} 32 or 64)");
        }
    }

    /** Resolutions of the synthesis blocks: 4, 8, ..., imageSize. */
    public int blocks() {
        return Integer.numberOfTrailingZeros(imageSize) - 1;
    }

    /** Side of block b (0: 4x4). */
    public static int side(int block) {
        return 4 << block;
    }

    /**
     * The number of per-layer w inputs (NVlabs' num_ws): one per modulated convolution plus the
     * last toRGB; each block's toRGB shares the w of the next block's first convolution.
     */
    public int numWs() {
        return 2 * blocks();
    }

    public ParamLayout generatorParams() {
        ParamLayout.Builder b = ParamLayout.builder();
        for (int i = 0; i < mappingLayers; i++) {
            EqualizedDense.register(b, "map.fc" + i, latentDim, latentDim, MAPPING_LR_MUL, 0);
        }
        b.add("syn.const", ParamLayout.Init.NORMAL, 1.0, 4, 4, width);
        for (int block = 0; block < blocks(); block++) {
            String p = "syn.b" + side(block);
            if (block > 0) {
                ModulatedConv2d.register(b, p + ".conv0", latentDim, width, width, 3, true);
            }
            ModulatedConv2d.register(b, p + ".conv1", latentDim, width, width, 3, true);
            ModulatedConv2d.register(b, p + ".torgb", latentDim, width, channels, 1, false);
        }
        return b.build();
    }

    public ParamLayout discriminatorParams() {
        ParamLayout.Builder b = ParamLayout.builder();
        EqualizedConv2d.register(b, "d.fromrgb", channels, width, 1, true);
        for (int s = imageSize; s > 4; s /= 2) {
            EqualizedConv2d.register(b, "d.b" + s + ".conv0", width, width, 3, true);
            EqualizedConv2d.register(b, "d.b" + s + ".conv1", width, width, 3, true);
            EqualizedConv2d.register(b, "d.b" + s + ".skip", width, width, 1, false);
        }
        EqualizedConv2d.register(b, "d.out.conv", width + 1, width, 3, true);
        EqualizedDense.register(b, "d.out.fc", width * 16, width, 1.0, 0);
        EqualizedDense.register(b, "d.out.logit", width, 1, 1.0, 0);
        return b.build();
    }

    /** Multiply-adds of one image through the mapping network (one z) and the synthesis network. */
    public long generatorMacsPerImage() {
        long w = width;
        long macs = (long) mappingLayers * latentDim * latentDim;
        for (int b = 0; b < blocks(); b++) {
            long pixels = (long) side(b) * side(b);
            int convs = b == 0 ? 1 : 2;
            macs += convs * (pixels * w * w * 9 + (long) latentDim * w);
            macs += pixels * w * channels + (long) latentDim * w;
        }
        return macs;
    }

    /** Multiply-adds of one image through the discriminator. */
    public long discriminatorMacsPerImage() {
        long w = width;
        long macs = (long) imageSize * imageSize * channels * w;
        for (int s = imageSize; s > 4; s /= 2) {
            long half = (long) (s / 2) * (s / 2);
            macs += (long) s * s * w * w * 9 + half * w * w * 9 + half * w * w;
        }
        return macs + 16 * (w + 1) * w * 9 + 16 * w * w + w;
    }

    /** Floats per image. */
    public int imageFloats() {
        return channels * imageSize * imageSize;
    }
}
