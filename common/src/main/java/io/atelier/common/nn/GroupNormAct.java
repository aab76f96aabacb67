package io.atelier.common.nn;

import java.nio.FloatBuffer;

/**
 * Group normalisation of rows shaped [H, W, C] (or [C]), channels split into {@code groups}
 * equal groups normalised per row, then a per-channel affine map and optionally SiLU, forward
 * and backward by hand, rows split over threads by {@link Parallel}. It has no running
 * statistics, so training and sampling compute the same function and a sample never depends on
 * the others in its batch.
 */
public final class GroupNormAct implements Layer {
    public static final float EPS = 1e-5f;

    private final Params params;
    private final String gammaName;
    private final String betaName;
    private final int channels;
    private final int groups;
    private final int per;
    private final int spatial;
    private final boolean silu;
    private final long[] shape;
    private final Tensor xhat;
    private final Tensor sig;
    private final Tensor y;
    private final Tensor gradIn;
    private final int[] groupOf;
    private final float[] gamma;
    private final float[] beta;
    // Per row (and group or channel), so rows can run on separate threads.
    private final float[] mean;
    private final float[] invStd;
    private final double[] dGamma;
    private final double[] dBeta;

    /** Registers gamma = 1 and beta = 0 under {@code name}. */
    public static void register(ParamLayout.Builder layout, String name, int channels) {
        layout.add(name + ".weight", ParamLayout.Init.ONE, 0, channels);
        layout.add(name + ".bias", ParamLayout.Init.ZERO, 0, channels);
    }

    public GroupNormAct(Params params, String name, int groups, boolean silu, int maxRows, long... shape) {
        this.params = params;
        this.gammaName = name + ".weight";
        this.betaName = name + ".bias";
        this.channels = (int) shape[shape.length - 1];
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException(name + ": " + channels + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.per = channels / groups;
        long s = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            s *= shape[i];
        }
        this.spatial = (int) s;
        this.silu = silu;
        this.shape = shape.clone();
        this.xhat = new Tensor(maxRows, shape);
        this.sig = silu ? new Tensor(maxRows, shape) : null;
        this.y = new Tensor(maxRows, shape);
        this.gradIn = new Tensor(maxRows, shape);
        this.groupOf = new int[channels];
        for (int c = 0; c < channels; c++) {
            groupOf[c] = c / per;
        }
        this.gamma = new float[channels];
        this.beta = new float[channels];
        this.mean = new float[maxRows * groups];
        this.invStd = new float[maxRows * groups];
        this.dGamma = new double[maxRows * channels];
        this.dBeta = new double[maxRows * channels];
    }

    @Override
    public long[] outShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != channels * spatial) {
            throw new IllegalArgumentException(gammaName + ": input rows have " + in.rowSize() + " values, expected "
                    + channels * spatial);
        }
        loadAffine();
        Parallel.rows(n, in.rowSize(), (from, to) -> {
            for (int r = from; r < to; r++) {
                float[] xr = RowScratch.floats(X, channels * spatial);
                in.floats().get(r * channels * spatial, xr, 0, channels * spatial);
                statistics(xr, r);
                normalise(xr, r);
            }
        });
        return y;
    }

    /** Row r's per-group mean and 1 / std, sums in a fixed order (see {@link #BLOCK}). */
    private void statistics(float[] xr, int r) {
        float[] fa = RowScratch.floats(ACC0, channels);
        float[] fb = RowScratch.floats(ACC1, channels);
        double[] ca = RowScratch.doubles(0, channels);
        double[] cb = RowScratch.doubles(1, channels);
        java.util.Arrays.fill(ca, 0, channels, 0);
        java.util.Arrays.fill(cb, 0, channels, 0);
        for (int s0 = 0; s0 < spatial; s0 += BLOCK) {
            java.util.Arrays.fill(fa, 0, channels, 0);
            java.util.Arrays.fill(fb, 0, channels, 0);
            for (int o = s0 * channels, end = Math.min(spatial, s0 + BLOCK) * channels; o < end; o += channels) {
                for (int c = 0; c < channels; c++) {
                    float v = xr[o + c];
                    fa[c] += v;
                    fb[c] += v * v;
                }
            }
            for (int c = 0; c < channels; c++) {
                ca[c] += fa[c];
                cb[c] += fb[c];
            }
        }
        int gb = r * groups;
        double count = (double) spatial * per;
        for (int g = 0; g < groups; g++) {
            double m = groupSum(ca, g) / count;
            double var = Math.max(0, groupSum(cb, g) / count - m * m);
            mean[gb + g] = (float) m;
            invStd[gb + g] = (float) (1.0 / Math.sqrt(var + EPS));
        }
    }

    // Element loops run on a row copied into RowScratch arrays, with per-group values spread per
    // channel, so that the JIT vectorises them.
    private void normalise(float[] xr, int r) {
        int len = channels * spatial;
        int base = r * len;
        float[] hr = RowScratch.floats(H, len);
        float[] yr = RowScratch.floats(Y, len);
        float[] mc = RowScratch.floats(MEAN_C, channels);
        float[] isc = RowScratch.floats(INV_STD_C, channels);
        float[] gam = gamma;
        float[] bet = beta;
        int gb = r * groups;
        for (int c = 0; c < channels; c++) {
            mc[c] = mean[gb + groupOf[c]];
            isc[c] = invStd[gb + groupOf[c]];
        }
        for (int o = 0; o < len; o += channels) {
            for (int c = 0; c < channels; c++) {
                float h = (xr[o + c] - mc[c]) * isc[c];
                hr[o + c] = h;
                yr[o + c] = gam[c] * h + bet[c];
            }
        }
        xhat.floats().put(base, hr, 0, len);
        if (silu) {
            float[] sr = RowScratch.floats(SIG, len);
            for (int i = 0; i < len; i++) {
                float v = yr[i];
                float sv = Activation.sigmoidRational(v);
                sr[i] = sv;
                yr[i] = v * sv;
            }
            sig.floats().put(base, sr, 0, len);
        }
        y.floats().put(base, yr, 0, len);
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        loadAffine();
        Parallel.rows(n, gradOut.rowSize(), (from, to) -> {
            for (int r = from; r < to; r++) {
                backwardRow(gradOut.floats(), r);
            }
        });
        if (grads.params()) {
            FloatBuffer pg = params.hostGrads();
            int g0 = params.offset(gammaName);
            int b0 = params.offset(betaName);
            for (int c = 0; c < channels; c++) {
                double dg = 0;
                double db = 0;
                for (int r = 0; r < n; r++) {
                    dg += dGamma[r * channels + c];
                    db += dBeta[r * channels + c];
                }
                pg.put(g0 + c, (float) dg);
                pg.put(b0 + c, (float) db);
            }
        }
        return gradIn;
    }

    /**
     * Row r: the gradient of the normalised values (through the affine map and SiLU), the
     * per-channel gamma and beta gradients, per-channel then per-group sums (see {@link #BLOCK}),
     * and the input gradient, into gradIn.
     */
    private void backwardRow(FloatBuffer gy, int r) {
        int len = channels * spatial;
        int base = r * len;
        int gb = r * groups;
        int cb = r * channels;
        float[] hr = RowScratch.floats(H, len);
        float[] dhr = RowScratch.floats(Y, len);
        float[] gr = RowScratch.floats(X, len);
        float[] gam = gamma;
        float[] bet = beta;
        xhat.floats().get(base, hr, 0, len);
        gy.get(base, gr, 0, len);
        if (silu) {
            float[] sr = RowScratch.floats(SIG, len);
            sig.floats().get(base, sr, 0, len);
            for (int o = 0; o < len; o += channels) {
                for (int c = 0; c < channels; c++) {
                    float v = gam[c] * hr[o + c] + bet[c];
                    float sv = sr[o + c];
                    gr[o + c] *= sv * (1f + v * (1f - sv));
                }
            }
        }
        double[] dg = dGamma;
        double[] db = dBeta;
        double[] sgc = RowScratch.doubles(0, channels);
        double[] sgxc = RowScratch.doubles(1, channels);
        float[] f0 = RowScratch.floats(ACC0, channels);
        float[] f1 = RowScratch.floats(ACC1, channels);
        float[] f2 = RowScratch.floats(ACC2, channels);
        float[] f3 = RowScratch.floats(ACC3, channels);
        java.util.Arrays.fill(dg, cb, cb + channels, 0);
        java.util.Arrays.fill(db, cb, cb + channels, 0);
        java.util.Arrays.fill(sgc, 0, channels, 0);
        java.util.Arrays.fill(sgxc, 0, channels, 0);
        for (int s0 = 0; s0 < spatial; s0 += BLOCK) {
            java.util.Arrays.fill(f0, 0, channels, 0);
            java.util.Arrays.fill(f1, 0, channels, 0);
            java.util.Arrays.fill(f2, 0, channels, 0);
            java.util.Arrays.fill(f3, 0, channels, 0);
            for (int o = s0 * channels, end = Math.min(spatial, s0 + BLOCK) * channels; o < end; o += channels) {
                for (int c = 0; c < channels; c++) {
                    float g = gr[o + c];
                    float h = hr[o + c];
                    float dh = g * gam[c];
                    dhr[o + c] = dh;
                    f0[c] += g * h;
                    f1[c] += g;
                    f2[c] += dh;
                    f3[c] += dh * h;
                }
            }
            for (int c = 0; c < channels; c++) {
                dg[cb + c] += f0[c];
                db[cb + c] += f1[c];
                sgc[c] += f2[c];
                sgxc[c] += f3[c];
            }
        }
        double count = (double) spatial * per;
        float[] meanDh = RowScratch.floats(MEAN_C, channels);
        float[] meanDhH = RowScratch.floats(MEAN_DH_H, channels);
        float[] isc = RowScratch.floats(INV_STD_C, channels);
        for (int g = 0; g < groups; g++) {
            double a = groupSum(sgc, g);
            double b = groupSum(sgxc, g);
            for (int c = g * per; c < (g + 1) * per; c++) {
                meanDh[c] = (float) (a / count);
                meanDhH[c] = (float) (b / count);
                isc[c] = invStd[gb + g];
            }
        }
        for (int o = 0; o < len; o += channels) {
            for (int c = 0; c < channels; c++) {
                dhr[o + c] = isc[c] * (dhr[o + c] - meanDh[c] - hr[o + c] * meanDhH[c]);
            }
        }
        gradIn.floats().put(base, dhr, 0, len);
    }

    /** Group g's channels' per-channel totals, summed in channel order. */
    private double groupSum(double[] perChannel, int g) {
        double sum = 0;
        for (int c = g * per; c < (g + 1) * per; c++) {
            sum += perChannel[c];
        }
        return sum;
    }

    private static final int X = 0;
    private static final int H = 1;
    private static final int Y = 2;
    private static final int SIG = 3;
    private static final int MEAN_C = 4;
    private static final int INV_STD_C = 5;
    private static final int ACC0 = 6;
    private static final int ACC1 = 7;
    private static final int ACC2 = 8;
    private static final int ACC3 = 9;
    private static final int MEAN_DH_H = 10;
    /**
     * Positions summed in float per channel before each such sum joins a double total: the short
     * float sums vectorise and lose nothing that matters, where double sums per value do not.
     */
    private static final int BLOCK = 16;
    private void loadAffine() {
        FloatBuffer p = params.hostValues();
        p.get(params.offset(gammaName), gamma);
        p.get(params.offset(betaName), beta);
    }
}
