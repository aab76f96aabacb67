package io.atelier.common.image;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Network input as the TF.js models were trained: RGB, pixel/255 in [0, 1], bilinear resize with
 * aligned corners ({@code tf.image.resizeBilinear(x, size, true)}), arithmetic as TF.js's CPU
 * kernel does it so imported networks see the same numbers.
 */
public final class AlignedBilinear {
    private AlignedBilinear() {
    }

    /** Packs images into a [n, 3, size, size] float array (c order), values in [0, 1]. */
    public static float[] toUnitNchw(List<BufferedImage> images, int size) {
        return toUnitNchw(images, size, size);
    }

    /** Packs images into a [n, 3, height, width] float array (c order), values in [0, 1]. */
    public static float[] toUnitNchw(List<BufferedImage> images, int height, int width) {
        float[] out = new float[images.size() * 3 * height * width];
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i);
            int w = img.getWidth();
            int h = img.getHeight();
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            float[] hwc = new float[h * w * 3];
            for (int p = 0; p < argb.length; p++) {
                hwc[3 * p] = ((argb[p] >> 16) & 0xFF) / 255f;
                hwc[3 * p + 1] = ((argb[p] >> 8) & 0xFF) / 255f;
                hwc[3 * p + 2] = (argb[p] & 0xFF) / 255f;
            }
            resizeInto(hwc, h, w, 3, height, width, out, i * 3 * height * width);
        }
        return out;
    }

    /**
     * Images already in tensors ([n, c, h, w], values in [-1, 1] as {@link PixelAdapter#toNchw} makes
     * them; c = 1 or 3) as the networks take them: [n, 3, size, size] RGB in [0, 1], resized the
     * same way. A gray image's one channel is replicated to R, G and B.
     */
    public static float[] fromSignedNchw(float[] nchw, int n, int c, int h, int w, int size) {
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("images with " + c + " channels: use 1 (gray) or 3 (RGB)");
        }
        float[] out = new float[n * 3 * size * size];
        float[] hwc = new float[h * w * 3];
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            int base = i * c * plane;
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    hwc[3 * p + ch] = (nchw[base + (c == 1 ? 0 : ch) * plane + p] + 1f) * 0.5f;
                }
            }
            resizeInto(hwc, h, w, 3, size, size, out, i * 3 * size * size);
        }
        return out;
    }

    /** Resizes HWC values into planar CHW at {@code offset} of {@code out}. */
    public static void resizeInto(float[] hwc, int inH, int inW, int c, int outH, int outW, float[] out, int offset) {
        double rowRatio = outH > 1 ? (double) (inH - 1) / (outH - 1) : (double) inH / outH;
        double colRatio = outW > 1 ? (double) (inW - 1) / (outW - 1) : (double) inW / outW;
        int plane = outH * outW;
        for (int r = 0; r < outH; r++) {
            double fr = rowRatio * r;
            int r0 = (int) Math.max(0, Math.floor(fr));
            int r1 = (int) Math.min(inH - 1, Math.ceil(fr));
            double rowFrac = fr - r0;
            for (int col = 0; col < outW; col++) {
                double fc = colRatio * col;
                int c0 = (int) Math.max(0, Math.floor(fc));
                int c1 = (int) Math.min(inW - 1, Math.ceil(fc));
                double colFrac = fc - c0;
                for (int ch = 0; ch < c; ch++) {
                    double tl = hwc[(r0 * inW + c0) * c + ch];
                    double tr = hwc[(r0 * inW + c1) * c + ch];
                    double bl = hwc[(r1 * inW + c0) * c + ch];
                    double br = hwc[(r1 * inW + c1) * c + ch];
                    double top = tl + (tr - tl) * colFrac;
                    double bottom = bl + (br - bl) * colFrac;
                    out[offset + ch * plane + r * outW + col] = (float) (top + (bottom - top) * rowFrac);
                }
            }
        }
    }
}
