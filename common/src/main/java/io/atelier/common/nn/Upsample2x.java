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
        int line = 2 * w * c;
        Parallel.rows(n, 4L * h * w * c, (from, to) -> {
            FloatBuffer x = in.floats();
            FloatBuffer yf = y.floats();
            for (int r = from; r < to; r++) {
                for (int i = 0; i < h; i++) {
                    int src = (r * h + i) * w * c;
                    int dst = (r * h + i) * 2 * line;
                    for (int j = 0; j < w; j++) {
                        yf.put(dst + 2 * j * c, x, src + j * c, c);
                        yf.put(dst + (2 * j + 1) * c, x, src + j * c, c);
                    }
                    yf.put(dst + line, yf, dst, line);
                }
            }
        });
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        int ow = 2 * w;
        Parallel.rows(n, 4L * h * w * c, (from, to) -> {
            FloatBuffer g = gradOut.floats();
            FloatBuffer gx = gradIn.floats();
            for (int r = from; r < to; r++) {
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
        });
        return gradIn;
    }
}
