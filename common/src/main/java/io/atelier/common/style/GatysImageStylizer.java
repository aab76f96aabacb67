package io.atelier.common.style;

import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.io.InvalidSettingException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;

/**
 * Gatys stylization of whole pictures: the content is resized to {@code size} (longer side) and
 * optimised coarse to fine: at {@code scales} sizes, each half the next, the result of one scale
 * (upsampled) starts the next, so large images get their layout from the cheap coarse scales and
 * only their detail from the expensive full-size iterations. The style image is resized to the
 * same longer side at each scale (Gram matrices are per-position averages, so its aspect ratio
 * does not matter). {@code preserveColor} keeps the content's chrominance (luminance transfer).
 */
public final class GatysImageStylizer implements ImageStylizer {
    /** The smallest side a coarse scale is allowed; below it the feature maps are too small to mean much. */
    static final int MIN_SCALE_SIDE = 32;

    private final GatysStylizer gatys;
    private final BufferedImage style;
    private final GatysOptions options;
    private final int size;
    private final int scales;
    private final boolean preserveColor;

    public GatysImageStylizer(KerasFeatureNetwork net, BufferedImage style, GatysOptions options, int size, int scales,
                              boolean preserveColor) {
        if (size < 16) {
            throw new InvalidSettingException("{size} " + size + ": use at least 16 pixels");
        }
        if (scales < 1) {
            throw new InvalidSettingException("{scales} " + scales + ": use at least 1");
        }
        this.gatys = new GatysStylizer(net);
        this.style = style;
        this.options = options;
        this.size = size;
        this.scales = scales;
        this.preserveColor = preserveColor;
    }

    /** One scale up to 512 pixels, then one more for each doubling: 1024 -> 512, 1024 (2 scales). */
    public static int defaultScales(int size) {
        int scales = 1;
        for (int side = size; side > 512; side /= 2) {
            scales++;
        }
        return scales;
    }

    @Override
    public BufferedImage stylize(BufferedImage content) {
        return StyleImages.toImage(stylizeUnit(content), 0);
    }

    /** The result as {@code [1, 3, h, w]} in [0, 1]. */
    public INDArray stylizeUnit(BufferedImage content) {
        INDArray result = null;
        INDArray contentAtScale = null;
        for (int s = scales - 1; s >= 0; s--) {
            int side = Math.max(Math.min(size, MIN_SCALE_SIDE), size >> s);
            contentAtScale = StyleImages.toUnitLongest(content, side);
            int h = (int) contentAtScale.size(2);
            int w = (int) contentAtScale.size(3);
            INDArray styleAtScale = options.init() == GatysOptions.Init.STYLE && result == null
                    ? StyleImages.toUnit(style, h, w) : StyleImages.toUnitLongest(style, side);
            INDArray start = result == null ? GatysStylizer.start(contentAtScale, styleAtScale, options)
                    : StyleImages.resize(result, h, w);
            result = gatys.stylize(contentAtScale, styleAtScale, options, start).image();
        }
        return preserveColor ? StyleImages.luminanceOnly(result, contentAtScale) : result;
    }
}
