package io.atelier.common.nn;

import java.nio.FloatBuffer;

/**
 * Batch normalisation over channel {@code c} of rows shaped [C, spatial...] (or [C] for dense
 * features), followed by a pointwise activation, forward and backward by hand. Training passes
 * normalise each group of rows with its own statistics and fold them into the running mean and
 * (unbiased) variance with momentum 0.1, as PyTorch does; evaluation passes use the running
 * statistics.
 */
public final class BatchNormAct implements Layer {
    public static final float EPS = 1e-5f;
    public static final float MOMENTUM = 0.1f;

    private final Params params;
    private final RunningStats stats;
    private final String gammaName;
    private final String betaName;
    private final String meanName;
    private final String varName;
    private final int channels;
    private final int inner;
    private final long[] shape;
    private final Activation act;
    private final Tensor y;
    private final Tensor gradIn;
    private final float[][] mean;
    private final float[][] invStd;
    private final double[] acc1;
    private final double[] acc2;
    private final float[] scale;
    private final float[] shift;
    private Tensor x;
    private int lastGroups;

    /** Registers gamma ~ N(1, 0.02) and beta = 0, and running mean 0 / variance 1. */
    public static void register(ParamLayout.Builder params, ParamLayout.Builder stats, String name, int channels) {
        params.add(name + ".weight", ParamLayout.Init.ONE_PLUS_NORMAL, 0.02, channels);
        params.add(name + ".bias", ParamLayout.Init.ZERO, 0, channels);
        stats.add(name + ".running_mean", ParamLayout.Init.ZERO, 0, channels);
        stats.add(name + ".running_var", ParamLayout.Init.ONE, 0, channels);
    }

    /** @param shape per-row shape: [C, H, W] for feature maps, [C] for dense features */
    public BatchNormAct(Params params, RunningStats stats, String name, Activation act, int maxRows, int maxGroups, long... shape) {
        this.params = params;
        this.stats = stats;
        this.gammaName = name + ".weight";
        this.betaName = name + ".bias";
        this.meanName = name + ".running_mean";
        this.varName = name + ".running_var";
        this.channels = (int) shape[0];
        long in = 1;
        for (int i = 1; i < shape.length; i++) {
            in *= shape[i];
        }
        this.inner = (int) in;
        this.shape = shape.clone();
        this.act = act;
        this.y = new Tensor(maxRows, shape);
        this.gradIn = new Tensor(maxRows, shape);
        this.mean = new float[maxGroups][channels];
        this.invStd = new float[maxGroups][channels];
        this.acc1 = new double[channels];
        this.acc2 = new double[channels];
        this.scale = new float[channels];
        this.shift = new float[channels];
    }

    @Override
    public long[] outShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != channels * inner) {
            throw new IllegalArgumentException(gammaName + ": input rows have " + in.rowSize() + " values, expected " + channels * inner);
        }
        x = in;
        int groups = pass.groups();
        if (n % groups != 0 || groups > mean.length) {
            throw new IllegalArgumentException(gammaName + ": cannot split " + n + " rows into " + groups + " groups");
        }
        lastGroups = groups;
        int per = n / groups;
        FloatBuffer xf = in.floats();
        FloatBuffer p = params.values();
        int g0 = params.offset(gammaName);
        int b0 = params.offset(betaName);
        float[] s = stats.values();
        int m0 = stats.offset(meanName);
        int v0 = stats.offset(varName);
        for (int g = 0; g < groups; g++) {
            int r0 = g * per;
            int r1 = r0 + per;
            if (pass.training()) {
                moments(xf, r0, r1, mean[g], invStd[g], s, m0, v0);
            } else {
                for (int c = 0; c < channels; c++) {
                    mean[g][c] = s[m0 + c];
                    invStd[g][c] = (float) (1.0 / Math.sqrt(s[v0 + c] + EPS));
                }
            }
            for (int c = 0; c < channels; c++) {
                float sc = p.get(g0 + c) * invStd[g][c];
                scale[c] = sc;
                shift[c] = p.get(b0 + c) - mean[g][c] * sc;
            }
            normalise(xf, y.floats(), r0, r1);
        }
        return y;
    }

    /** Batch mean and 1/sqrt(var + eps) over rows [r0, r1), folded into the running statistics. */
    private void moments(FloatBuffer xf, int r0, int r1, float[] mu, float[] inv, float[] s, int m0, int v0) {
        long count = (long) (r1 - r0) * inner;
        java.util.Arrays.fill(acc1, 0);
        java.util.Arrays.fill(acc2, 0);
        if (inner == 1) {
            for (int r = r0; r < r1; r++) {
                int base = r * channels;
                for (int c = 0; c < channels; c++) {
                    acc1[c] += xf.get(base + c);
                }
            }
            for (int c = 0; c < channels; c++) {
                mu[c] = (float) (acc1[c] / count);
            }
            for (int r = r0; r < r1; r++) {
                int base = r * channels;
                for (int c = 0; c < channels; c++) {
                    double d = xf.get(base + c) - mu[c];
                    acc2[c] += d * d;
                }
            }
        } else {
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                for (int r = r0; r < r1; r++) {
                    int base = (r * channels + c) * inner;
                    for (int i = 0; i < inner; i++) {
                        sum += xf.get(base + i);
                    }
                }
                float m = (float) (sum / count);
                mu[c] = m;
                double sq = 0;
                for (int r = r0; r < r1; r++) {
                    int base = (r * channels + c) * inner;
                    for (int i = 0; i < inner; i++) {
                        double d = xf.get(base + i) - m;
                        sq += d * d;
                    }
                }
                acc2[c] = sq;
            }
        }
        double unbias = count > 1 ? (double) count / (count - 1) : 1.0;
        for (int c = 0; c < channels; c++) {
            double var = acc2[c] / count;
            inv[c] = (float) (1.0 / Math.sqrt(var + EPS));
            s[m0 + c] = (1 - MOMENTUM) * s[m0 + c] + MOMENTUM * mu[c];
            s[v0 + c] = (float) ((1 - MOMENTUM) * s[v0 + c] + MOMENTUM * var * unbias);
        }
    }

    private void normalise(FloatBuffer xf, FloatBuffer yf, int r0, int r1) {
        if (inner == 1) {
            for (int r = r0; r < r1; r++) {
                int base = r * channels;
                for (int c = 0; c < channels; c++) {
                    yf.put(base + c, xf.get(base + c) * scale[c] + shift[c]);
                }
            }
        } else {
            for (int r = r0; r < r1; r++) {
                for (int c = 0; c < channels; c++) {
                    int base = (r * channels + c) * inner;
                    float sc = scale[c];
                    float sh = shift[c];
                    for (int i = 0; i < inner; i++) {
                        yf.put(base + i, xf.get(base + i) * sc + sh);
                    }
                }
            }
        }
        act.forward(yf, r0 * channels * inner, r1 * channels * inner);
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        int groups = lastGroups;
        int per = n / groups;
        FloatBuffer xf = x.floats();
        FloatBuffer yf = y.floats();
        FloatBuffer dy = gradOut.floats();
        FloatBuffer dx = gradIn.floats();
        FloatBuffer p = params.values();
        FloatBuffer pg = params.grads();
        int g0 = params.offset(gammaName);
        int b0 = params.offset(betaName);
        if (grads.params()) {
            for (int c = 0; c < channels; c++) {
                pg.put(g0 + c, 0f);
                pg.put(b0 + c, 0f);
            }
        }
        for (int g = 0; g < groups; g++) {
            int r0 = g * per;
            int r1 = r0 + per;
            int from = r0 * channels * inner;
            int to = r1 * channels * inner;
            // dx holds dL/d(pre-activation) first, then is overwritten with dL/dx.
            for (int i = from; i < to; i++) {
                dx.put(i, dy.get(i));
            }
            act.backward(yf, dx, from, to);
            java.util.Arrays.fill(acc1, 0);
            java.util.Arrays.fill(acc2, 0);
            float[] mu = mean[g];
            float[] inv = invStd[g];
            if (inner == 1) {
                for (int r = r0; r < r1; r++) {
                    int base = r * channels;
                    for (int c = 0; c < channels; c++) {
                        float d = dx.get(base + c);
                        acc1[c] += d;
                        acc2[c] += d * (xf.get(base + c) - mu[c]) * inv[c];
                    }
                }
            } else {
                for (int r = r0; r < r1; r++) {
                    for (int c = 0; c < channels; c++) {
                        int base = (r * channels + c) * inner;
                        float m = mu[c];
                        float iv = inv[c];
                        double s1 = 0;
                        double s2 = 0;
                        for (int i = 0; i < inner; i++) {
                            float d = dx.get(base + i);
                            s1 += d;
                            s2 += d * ((xf.get(base + i) - m) * iv);
                        }
                        acc1[c] += s1;
                        acc2[c] += s2;
                    }
                }
            }
            long count = (long) per * inner;
            for (int c = 0; c < channels; c++) {
                if (grads.params()) {
                    pg.put(g0 + c, (float) (pg.get(g0 + c) + acc2[c]));
                    pg.put(b0 + c, (float) (pg.get(b0 + c) + acc1[c]));
                }
                scale[c] = p.get(g0 + c) * inv[c];
                // Reused as per-channel means of dL/dz and of dL/dz * xhat.
                acc1[c] /= count;
                acc2[c] /= count;
            }
            if (grads.input()) {
                if (inner == 1) {
                    for (int r = r0; r < r1; r++) {
                        int base = r * channels;
                        for (int c = 0; c < channels; c++) {
                            float xhat = (xf.get(base + c) - mu[c]) * inv[c];
                            dx.put(base + c, scale[c] * (float) (dx.get(base + c) - acc1[c] - xhat * acc2[c]));
                        }
                    }
                } else {
                    for (int r = r0; r < r1; r++) {
                        for (int c = 0; c < channels; c++) {
                            int base = (r * channels + c) * inner;
                            float m = mu[c];
                            float iv = inv[c];
                            float sc = scale[c];
                            float a1 = (float) acc1[c];
                            float a2 = (float) acc2[c];
                            for (int i = 0; i < inner; i++) {
                                float xhat = (xf.get(base + i) - m) * iv;
                                dx.put(base + i, sc * (dx.get(base + i) - a1 - xhat * a2));
                            }
                        }
                    }
                }
            }
        }
        return gradIn;
    }
}
