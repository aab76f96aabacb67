package io.atelier.common.nn;

import java.nio.FloatBuffer;

/** Nearest-neighbour 2x upsampling of NHWC rows [H, W, C] -> [2H, 2W, C]; backward sums each 2x2 block. */
public final class Upsample2x implements Layer {
    private final int h;
    private final int w;
    private final int c;
    private final Tensor y;
    private final Tensor gradIn;

    public Upsample2x(int h, int w, int c, int maxRows) {
        this.h = h;
        this.w = w;
        this.c = c;
        this.y = new Tensor(maxRows, 2L * h, 2L * w, c);
        this.gradIn = new Tensor(maxRows, h, w, c);
    }

    @Override
    public long[] outShape() {
        return new long[]{2L * h, 2L * w, c};
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != h * w * c) {
            throw new IllegalArgumentException("upsample: input rows have " + in.rowSize() + " values, expected " + h * w * c);
        }
        FloatBuffer x = in.floats();
        FloatBuffer yf = y.floats();
        int ow = 2 * w;
        for (int r = 0; r < n; r++) {
            int xb = r * h * w * c;
            int yb = r * 4 * h * w * c;
            for (int i = 0; i < 2 * h; i++) {
                for (int j = 0; j < ow; j++) {
                    int src = xb + ((i >> 1) * w + (j >> 1)) * c;
                    int dst = yb + (i * ow + j) * c;
                    for (int k = 0; k < c; k++) {
                        yf.put(dst + k, x.get(src + k));
                    }
                }
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        FloatBuffer g = gradOut.floats();
        FloatBuffer gx = gradIn.floats();
        int ow = 2 * w;
        for (int r = 0; r < n; r++) {
            int xb = r * h * w * c;
            int yb = r * 4 * h * w * c;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int dst = xb + (i * w + j) * c;
                    int a = yb + (2 * i * ow + 2 * j) * c;
                    int b = a + ow * c;
                    for (int k = 0; k < c; k++) {
                        gx.put(dst + k, g.get(a + k) + g.get(a + c + k) + g.get(b + k) + g.get(b + c + k));
                    }
                }
            }
        }
        return gradIn;
    }
}
