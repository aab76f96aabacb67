package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Image batches between NCHW (datasets, outputs) and NHWC (what the networks run on), as one copy op. */
public final class Layouts {
    private Layouts() {
    }

    /** Writes the NCHW images {@code src} [n, C, H, W] into {@code dst} [n, H, W, C]; returns dst. */
    public static INDArray nchwToNhwc(INDArray src, INDArray dst) {
        check(src, dst, 0, 2, 3, 1);
        return dst.assign(src.permute(0, 2, 3, 1));
    }

    /** Writes the NHWC images {@code src} [n, H, W, C] into {@code dst} [n, C, H, W]; returns dst. */
    public static INDArray nhwcToNchw(INDArray src, INDArray dst) {
        check(src, dst, 0, 3, 1, 2);
        return dst.assign(src.permute(0, 3, 1, 2));
    }

    /** dst's axis i must be src's axis {@code order[i]}. */
    private static void check(INDArray src, INDArray dst, int... order) {
        long[] s = src.shape();
        long[] d = dst.shape();
        boolean ok = s.length == 4 && d.length == 4;
        for (int i = 0; ok && i < 4; i++) {
            ok = d[i] == s[order[i]];
        }
        if (!ok) {
            throw new IllegalArgumentException("cannot move axes " + Arrays.toString(order) + " of an image batch "
                    + Arrays.toString(s) + " into " + Arrays.toString(d));
        }
    }
}
