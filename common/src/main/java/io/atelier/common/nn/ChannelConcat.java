package io.atelier.common.nn;

import java.nio.FloatBuffer;

/** A U-Net skip join: NHWC rows [H, W, Ca] and [H, W, Cb] -> [H, W, Ca + Cb]; backward splits the gradient. */
public final class ChannelConcat {
    private final int pixels;
    private final int ca;
    private final int cb;
    private final Tensor y;
    private final Tensor gradA;
    private final Tensor gradB;

    public ChannelConcat(int h, int w, int ca, int cb, int maxRows) {
        this.pixels = h * w;
        this.ca = ca;
        this.cb = cb;
        this.y = new Tensor(maxRows, h, w, ca + cb);
        this.gradA = new Tensor(maxRows, h, w, ca);
        this.gradB = new Tensor(maxRows, h, w, cb);
    }

    public Tensor forward(Tensor a, Tensor b, int n) {
        if (a.rowSize() != pixels * ca || b.rowSize() != pixels * cb) {
            throw new IllegalArgumentException("concat: inputs of " + a.rowSize() + " and " + b.rowSize()
                    + " values per row, expected " + pixels * ca + " and " + pixels * cb);
        }
        int c = ca + cb;
        Parallel.rows(n, (long) pixels * c, (from, to) -> {
            FloatBuffer af = a.floats();
            FloatBuffer bf = b.floats();
            FloatBuffer yf = y.floats();
            for (int p = from * pixels, end = to * pixels; p < end; p++) {
                yf.put(p * c, af, p * ca, ca);
                yf.put(p * c + ca, bf, p * cb, cb);
            }
        });
        return y;
    }

    /** Splits {@code gradOut} into {@link #gradA} and {@link #gradB}. */
    public void backward(Tensor gradOut, int n) {
        int c = ca + cb;
        Parallel.rows(n, (long) pixels * c, (from, to) -> {
            FloatBuffer g = gradOut.floats();
            FloatBuffer ga = gradA.floats();
            FloatBuffer gb = gradB.floats();
            for (int p = from * pixels, end = to * pixels; p < end; p++) {
                ga.put(p * ca, g, p * c, ca);
                gb.put(p * cb, g, p * c + ca, cb);
            }
        });
    }

    public Tensor gradA() {
        return gradA;
    }

    public Tensor gradB() {
        return gradB;
    }
}
