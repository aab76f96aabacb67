package io.atelier.common.nn;

/**
 * Elementwise sums of whole rows (residuals, gradients of shared inputs), split over rows by
 * {@link Parallel}, each row through {@link RowScratch} arrays so that the loops vectorise.
 */
public final class Pointwise {
    private Pointwise() {
    }

    /** out = a + b over rows [0, n) of out's row size; out may be a or b. */
    public static Tensor add(Tensor a, Tensor b, Tensor out, int n) {
        int row = out.rowSize();
        Parallel.rows(n, row, (from, to) -> {
            float[] ar = RowScratch.floats(0, row);
            float[] br = RowScratch.floats(1, row);
            for (int r = from; r < to; r++) {
                a.floats().get(r * row, ar, 0, row);
                b.floats().get(r * row, br, 0, row);
                for (int i = 0; i < row; i++) {
                    ar[i] += br[i];
                }
                out.floats().put(r * row, ar, 0, row);
            }
        });
        return out;
    }

    /** Adds row r's per-channel values {@code shift[r, c]} to every pixel of NHWC rows [pixels, channels] of x. */
    static void addPerChannel(Tensor x, Tensor shift, int pixels, int channels, int n) {
        Parallel.rows(n, (long) pixels * channels, (from, to) -> {
            int len = pixels * channels;
            float[] xr = RowScratch.floats(0, len);
            float[] sr = RowScratch.floats(1, channels);
            for (int r = from; r < to; r++) {
                x.floats().get(r * len, xr, 0, len);
                shift.floats().get(r * channels, sr, 0, channels);
                for (int o = 0; o < len; o += channels) {
                    for (int c = 0; c < channels; c++) {
                        xr[o + c] += sr[c];
                    }
                }
                x.floats().put(r * len, xr, 0, len);
            }
        });
    }

    /** shift[r, c] = the sum over pixels of NHWC rows [pixels, channels] of g: the adjoint of {@link #addPerChannel}. */
    static void sumPerChannel(Tensor g, Tensor shift, int pixels, int channels, int n) {
        Parallel.rows(n, (long) pixels * channels, (from, to) -> {
            int len = pixels * channels;
            float[] gr = RowScratch.floats(0, len);
            float[] sr = RowScratch.floats(1, channels);
            for (int r = from; r < to; r++) {
                g.floats().get(r * len, gr, 0, len);
                java.util.Arrays.fill(sr, 0, channels, 0f);
                for (int o = 0; o < len; o += channels) {
                    for (int c = 0; c < channels; c++) {
                        sr[c] += gr[o + c];
                    }
                }
                shift.floats().put(r * channels, sr, 0, channels);
            }
        });
    }
}
