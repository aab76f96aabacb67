package io.atelier.common.nn;

import java.nio.FloatBuffer;

/** Elementwise sums of whole rows (residuals, gradients of shared inputs), split over rows by {@link Parallel}. */
final class Pointwise {
    private Pointwise() {
    }

    /** out = a + b over rows [0, n) of out's row size; out may be a or b. */
    static Tensor add(Tensor a, Tensor b, Tensor out, int n) {
        int row = out.rowSize();
        Parallel.rows(n, row, (from, to) -> {
            FloatBuffer af = a.floats();
            FloatBuffer bf = b.floats();
            FloatBuffer of = out.floats();
            for (int i = from * row, end = to * row; i < end; i++) {
                of.put(i, af.get(i) + bf.get(i));
            }
        });
        return out;
    }

    /** Adds row r's per-channel values {@code shift[r, c]} to every pixel of NHWC rows [pixels, channels] of x. */
    static void addPerChannel(Tensor x, Tensor shift, int pixels, int channels, int n) {
        Parallel.rows(n, (long) pixels * channels, (from, to) -> {
            FloatBuffer xf = x.floats();
            FloatBuffer sf = shift.floats();
            for (int r = from; r < to; r++) {
                for (int p = 0; p < pixels; p++) {
                    int o = (r * pixels + p) * channels;
                    for (int c = 0; c < channels; c++) {
                        xf.put(o + c, xf.get(o + c) + sf.get(r * channels + c));
                    }
                }
            }
        });
    }

    /** shift[r, c] = the sum over pixels of NHWC rows [pixels, channels] of g: the adjoint of {@link #addPerChannel}. */
    static void sumPerChannel(Tensor g, Tensor shift, int pixels, int channels, int n) {
        Parallel.rows(n, (long) pixels * channels, (from, to) -> {
            FloatBuffer gf = g.floats();
            FloatBuffer sf = shift.floats();
            for (int r = from; r < to; r++) {
                for (int c = 0; c < channels; c++) {
                    sf.put(r * channels + c, 0f);
                }
                for (int p = 0; p < pixels; p++) {
                    int o = (r * pixels + p) * channels;
                    for (int c = 0; c < channels; c++) {
                        sf.put(r * channels + c, sf.get(r * channels + c) + gf.get(o + c));
                    }
                }
            }
        });
    }
}
