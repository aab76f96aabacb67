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
    private final double[] sumA;
    private final double[] sumB;
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
        this.sumA = new double[maxRows * groups];
        this.sumB = new double[maxRows * groups];
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
                statistics(in.floats(), r);
                normalise(in.floats(), r);
            }
        });
        return y;
    }

    /** Row r's per-group mean and 1 / std, sums in double in a fixed order. */
    private void statistics(FloatBuffer xf, int r) {
        int base = r * channels * spatial;
        int gb = r * groups;
        java.util.Arrays.fill(sumA, gb, gb + groups, 0);
        java.util.Arrays.fill(sumB, gb, gb + groups, 0);
        for (int s = 0; s < spatial; s++) {
            for (int g = 0; g < groups; g++) {
                int o = base + s * channels + g * per;
                double a = sumA[gb + g];
                double b = sumB[gb + g];
                for (int c = 0; c < per; c++) {
                    float v = xf.get(o + c);
                    a += v;
                    b += (double) v * v;
                }
                sumA[gb + g] = a;
                sumB[gb + g] = b;
            }
        }
        double count = (double) spatial * per;
        for (int g = 0; g < groups; g++) {
            double m = sumA[gb + g] / count;
            double var = Math.max(0, sumB[gb + g] / count - m * m);
            mean[gb + g] = (float) m;
            invStd[gb + g] = (float) (1.0 / Math.sqrt(var + EPS));
        }
    }

    private void normalise(FloatBuffer xf, int r) {
        FloatBuffer hf = xhat.floats();
        FloatBuffer yf = y.floats();
        FloatBuffer sf = silu ? sig.floats() : null;
        float[] m = mean;
        float[] is = invStd;
        float[] gam = gamma;
        float[] bet = beta;
        int[] groupIndex = groupOf;
        int base = r * channels * spatial;
        int gb = r * groups;
        for (int s = 0; s < spatial; s++) {
            int o = base + s * channels;
            for (int c = 0; c < channels; c++) {
                int g = gb + groupIndex[c];
                float h = (xf.get(o + c) - m[g]) * is[g];
                hf.put(o + c, h);
                float v = gam[c] * h + bet[c];
                if (sf != null) {
                    float sv = Activation.sigmoid(v);
                    sf.put(o + c, sv);
                    v *= sv;
                }
                yf.put(o + c, v);
            }
        }
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        loadAffine();
        Parallel.rows(n, gradOut.rowSize(), (from, to) -> {
            for (int r = from; r < to; r++) {
                affineGradient(gradOut.floats(), r);
                inputGradient(r);
            }
        });
        if (grads.params()) {
            FloatBuffer pg = params.grads();
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
     * Row r's gradient of the normalised values (through the affine map and SiLU), kept in
     * gradIn, with its per-channel gamma and beta gradients and per-group sums for the input.
     */
    private void affineGradient(FloatBuffer gy, int r) {
        FloatBuffer hf = xhat.floats();
        FloatBuffer gx = gradIn.floats();
        FloatBuffer sf = silu ? sig.floats() : null;
        int base = r * channels * spatial;
        int gb = r * groups;
        int cb = r * channels;
        // Locals: the buffers' raw stores would otherwise make the JIT reload every field per element.
        double[] dg = dGamma;
        double[] db = dBeta;
        double[] sg = sumA;
        double[] sgx = sumB;
        float[] gam = gamma;
        float[] bet = beta;
        int[] groupIndex = groupOf;
        java.util.Arrays.fill(dg, cb, cb + channels, 0);
        java.util.Arrays.fill(db, cb, cb + channels, 0);
        java.util.Arrays.fill(sg, gb, gb + groups, 0);
        java.util.Arrays.fill(sgx, gb, gb + groups, 0);
        for (int s = 0; s < spatial; s++) {
            int o = base + s * channels;
            for (int c = 0; c < channels; c++) {
                float h = hf.get(o + c);
                float g = gy.get(o + c);
                if (sf != null) {
                    float v = gam[c] * h + bet[c];
                    float sv = sf.get(o + c);
                    g *= sv * (1f + v * (1f - sv));
                }
                dg[cb + c] += (double) g * h;
                db[cb + c] += g;
                float dh = g * gam[c];
                gx.put(o + c, dh);
                int gi = gb + groupIndex[c];
                sg[gi] += dh;
                sgx[gi] += (double) dh * h;
            }
        }
    }

    private void inputGradient(int r) {
        FloatBuffer hf = xhat.floats();
        FloatBuffer gx = gradIn.floats();
        int base = r * channels * spatial;
        int gb = r * groups;
        double count = (double) spatial * per;
        double[] sg = sumA;
        double[] sgx = sumB;
        float[] is = invStd;
        int[] groupIndex = groupOf;
        for (int s = 0; s < spatial; s++) {
            int o = base + s * channels;
            for (int c = 0; c < channels; c++) {
                int g = gb + groupIndex[c];
                gx.put(o + c, is[g] * (float) (gx.get(o + c) - sg[g] / count - hf.get(o + c) * sgx[g] / count));
            }
        }
    }

    private void loadAffine() {
        FloatBuffer p = params.values();
        p.get(params.offset(gammaName), gamma);
        p.get(params.offset(betaName), beta);
    }
}
