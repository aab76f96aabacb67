package io.atelier.common.nn;

import java.nio.FloatBuffer;

/** Image batches between NCHW (datasets, outputs) and NHWC (what the networks run on). */
public final class Layouts {
    private Layouts() {
    }

    /** Copies n NCHW images from {@code src[from...]} into NHWC rows of {@code dst} starting at {@code dstFrom}. */
    public static void nchwToNhwc(float[] src, int from, FloatBuffer dst, int dstFrom, int n, int c, int h, int w) {
        if (c == 1) {
            dst.put(dstFrom, src, from, n * h * w);
            return;
        }
        int plane = h * w;
        for (int b = 0; b < n; b++) {
            int s = from + b * c * plane;
            int d = dstFrom + b * c * plane;
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < c; ch++) {
                    dst.put(d + p * c + ch, src[s + ch * plane + p]);
                }
            }
        }
    }

    /** Copies n NHWC rows of {@code src} into NCHW images in {@code dst[from...]}. */
    public static void nhwcToNchw(FloatBuffer src, float[] dst, int from, int n, int c, int h, int w) {
        if (c == 1) {
            src.get(0, dst, from, n * h * w);
            return;
        }
        int plane = h * w;
        for (int b = 0; b < n; b++) {
            int s = b * c * plane;
            int d = from + b * c * plane;
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < c; ch++) {
                    dst[d + ch * plane + p] = src.get(s + p * c + ch);
                }
            }
        }
    }
}
