package io.atelier.common.style;

import io.atelier.common.image.AlignedBilinear;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The adapters between pictures and the tensors stylization works on: RGB images to and from
 * {@code [1, 3, h, w]} arrays in [0, 1], resizing to a longest side, and the luminance-only
 * transfer behind {@code --preserve-color}.
 */
public final class StyleImages {
    private StyleImages() {
    }

    /** {@code [1, 3, height, width]} RGB in [0, 1], bilinearly resized. */
    public static INDArray toUnit(BufferedImage rgb, int height, int width) {
        return Nd4j.create(AlignedBilinear.toUnitNchw(List.of(rgb), height, width), new long[]{1, 3, height, width}, 'c');
    }

    /** As it is, no resize. */
    public static INDArray toUnit(BufferedImage rgb) {
        return toUnit(rgb, rgb.getHeight(), rgb.getWidth());
    }

    /** {h, w} with the longer side {@code longest} and the aspect ratio kept (each side at least 1). */
    public static int[] fitLongest(int height, int width, int longest) {
        if (height >= width) {
            return new int[]{longest, Math.max(1, (int) Math.round((double) width * longest / height))};
        }
        return new int[]{Math.max(1, (int) Math.round((double) height * longest / width)), longest};
    }

    /** Resizes so the longer side is {@code longest}. */
    public static INDArray toUnitLongest(BufferedImage rgb, int longest) {
        int[] hw = fitLongest(rgb.getHeight(), rgb.getWidth(), longest);
        return toUnit(rgb, hw[0], hw[1]);
    }

    /** Bilinear resize of a {@code [n, 3, h, w]} array (coarse-to-fine steps). */
    public static INDArray resize(INDArray nchw, int height, int width) {
        int n = (int) nchw.size(0);
        int c = (int) nchw.size(1);
        int h = (int) nchw.size(2);
        int w = (int) nchw.size(3);
        float[] src = nchw.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out = new float[n * c * height * width];
        for (int i = 0; i < n; i++) {
            float[] hwc = new float[h * w * c];
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < h * w; p++) {
                    hwc[p * c + ch] = src[(i * c + ch) * h * w + p];
                }
            }
            AlignedBilinear.resizeInto(hwc, h, w, c, height, width, out, i * c * height * width);
        }
        return Nd4j.create(out, new long[]{n, c, height, width}, 'c');
    }

    /** One image of a {@code [n, 3, h, w]} array in [0, 1] as RGB, clipped and rounded. */
    public static BufferedImage toImage(INDArray nchw, int index) {
        int h = (int) nchw.size(2);
        int w = (int) nchw.size(3);
        float[] v = nchw.slice(index).castTo(DataType.FLOAT).dup('c').data().asFloat();
        int plane = h * w;
        int[] argb = new int[plane];
        for (int p = 0; p < plane; p++) {
            argb[p] = (toByte(v[p]) << 16) | (toByte(v[plane + p]) << 8) | toByte(v[2 * plane + p]);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, argb, 0, w);
        return img;
    }

    private static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }

    /**
     * Keeps the content's colours: the stylized image's luminance (Y of YIQ) with the content's
     * chrominance (I, Q), as Gatys et al. suggest in "Preserving color in neural artistic style
     * transfer" (2016). Both {@code [1, 3, h, w]} in [0, 1], same size; returns a new array.
     */
    public static INDArray luminanceOnly(INDArray stylized, INDArray content) {
        if (!java.util.Arrays.equals(stylized.shape(), content.shape())) {
            throw new IllegalArgumentException("luminance transfer needs equal shapes, got "
                    + java.util.Arrays.toString(stylized.shape()) + " and " + java.util.Arrays.toString(content.shape()));
        }
        float[] s = stylized.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] c = content.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int plane = (int) (stylized.size(2) * stylized.size(3));
        float[] out = new float[s.length];
        for (int p = 0; p < plane; p++) {
            float y = 0.299f * s[p] + 0.587f * s[plane + p] + 0.114f * s[2 * plane + p];
            float i = 0.596f * c[p] - 0.274f * c[plane + p] - 0.322f * c[2 * plane + p];
            float q = 0.211f * c[p] - 0.523f * c[plane + p] + 0.312f * c[2 * plane + p];
            out[p] = clip(y + 0.956f * i + 0.621f * q);
            out[plane + p] = clip(y - 0.272f * i - 0.647f * q);
            out[2 * plane + p] = clip(y - 1.106f * i + 1.703f * q);
        }
        return Nd4j.create(out, stylized.shape(), 'c');
    }

    private static float clip(float v) {
        return Math.max(0f, Math.min(1f, v));
    }
}
