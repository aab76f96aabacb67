package io.atelier.common.nn;

import java.nio.FloatBuffer;

/**
 * Group normalisation of rows shaped [H, W, C] (or [C]), channels split into {@code groups}
 * equal groups normalised per row, then a per-channel affine map and optionally SiLU, forward
 * and backward by hand. It has no running statistics, so training and sampling compute the
 * same function and a sample never depends on the others in its batch.
 */
public final class GroupNormAct implements Layer {
    public static final float EPS = 1e-5f;

    private final Params params;
    private final String gammaName;
    private final String betaName;
    private final int channels;
    private final int groups;
    private final int spatial;
    private final boolean silu;
    private final long[] shape;
    private final Tensor xhat;
    private final Tensor sig;
    private final int[] groupOf;
    private final Tensor y;
    private final Tensor gradIn;
    private final float[] invStd;
    private final double[] sumG;
    private final double[] sumGx;
    private final double[] sum;
    private final double[] sq;
    private final float[] mean;
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
        long s = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            s *= shape[i];
        }
        this.spatial = (int) s;
        this.silu = silu;
        this.shape = shape.clone();
        this.xhat = new Tensor(maxRows, shape);
        this.sig = silu ? new Tensor(maxRows, shape) : null;
        this.groupOf = new int[channels];
        for (int c = 0; c < channels; c++) {
            groupOf[c] = c / (channels / groups);
        }
        this.y = new Tensor(maxRows, shape);
        this.gradIn = new Tensor(maxRows, shape);
        this.invStd = new float[maxRows * groups];
        this.sumG = new double[groups];
        this.sumGx = new double[groups];
        this.sum = new double[groups];
        this.sq = new double[groups];
        this.mean = new float[groups];
        this.dGamma = new double[channels];
        this.dBeta = new double[channels];
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
        FloatBuffer xf = in.floats();
        FloatBuffer hf = xhat.floats();
        FloatBuffer yf = y.floats();
        FloatBuffer sf = silu ? sig.floats() : null;
        FloatBuffer p = params.values();
        int g0 = params.offset(gammaName);
        int b0 = params.offset(betaName);
        int per = channels / groups;
        int row = channels * spatial;
        double count = (double) spatial * per;
        for (int r = 0; r < n; r++) {
            int base = r * row;
            java.util.Arrays.fill(sum, 0);
            java.util.Arrays.fill(sq, 0);
            for (int s = 0; s < spatial; s++) {
                int o = base + s * channels;
                for (int c = 0; c < channels; c++) {
                    float v = xf.get(o + c);
                    int g = groupOf[c];
                    sum[g] += v;
                    sq[g] += (double) v * v;
                }
            }
            for (int g = 0; g < groups; g++) {
                double m = sum[g] / count;
                double var = Math.max(0, sq[g] / count - m * m);
                mean[g] = (float) m;
                invStd[r * groups + g] = (float) (1.0 / Math.sqrt(var + EPS));
            }
            for (int s = 0; s < spatial; s++) {
                int o = base + s * channels;
                for (int c = 0; c < channels; c++) {
                    int g = groupOf[c];
                    float h = (xf.get(o + c) - mean[g]) * invStd[r * groups + g];
                    hf.put(o + c, h);
                    float v = p.get(g0 + c) * h + p.get(b0 + c);
                    if (silu) {
                        float sv = Activation.sigmoid(v);
                        sf.put(o + c, sv);
                        v *= sv;
                    }
                    yf.put(o + c, v);
                }
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        FloatBuffer gy = gradOut.floats();
        FloatBuffer hf = xhat.floats();
        FloatBuffer gx = gradIn.floats();
        FloatBuffer sf = silu ? sig.floats() : null;
        FloatBuffer p = params.values();
        FloatBuffer pg = params.grads();
        int g0 = params.offset(gammaName);
        int b0 = params.offset(betaName);
        int per = channels / groups;
        int row = channels * spatial;
        double count = (double) spatial * per;
        java.util.Arrays.fill(dGamma, 0);
        java.util.Arrays.fill(dBeta, 0);
        for (int r = 0; r < n; r++) {
            int base = r * row;
            java.util.Arrays.fill(sumG, 0);
            java.util.Arrays.fill(sumGx, 0);
            // First pass: the gradient of the affine output (through SiLU), kept in gradIn.
            for (int s = 0; s < spatial; s++) {
                int o = base + s * channels;
                for (int c = 0; c < channels; c++) {
                    float h = hf.get(o + c);
                    float gamma = p.get(g0 + c);
                    float g = gy.get(o + c);
                    if (silu) {
                        float v = gamma * h + p.get(b0 + c);
                        float sg = sf.get(o + c);
                        g *= sg * (1f + v * (1f - sg));
                    }
                    dGamma[c] += (double) g * h;
                    dBeta[c] += g;
                    float dh = g * gamma;
                    gx.put(o + c, dh);
                    int gi = groupOf[c];
                    sumG[gi] += dh;
                    sumGx[gi] += (double) dh * h;
                }
            }
            for (int s = 0; s < spatial; s++) {
                int o = base + s * channels;
                for (int c = 0; c < channels; c++) {
                    int g = groupOf[c];
                    float dh = gx.get(o + c);
                    gx.put(o + c, invStd[r * groups + g]
                            * (float) (dh - sumG[g] / count - hf.get(o + c) * sumGx[g] / count));
                }
            }
        }
        if (grads.params()) {
            for (int c = 0; c < channels; c++) {
                pg.put(g0 + c, (float) dGamma[c]);
                pg.put(b0 + c, (float) dBeta[c]);
            }
        }
        return gradIn;
    }
}
