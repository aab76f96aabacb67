package io.atelier.common.nn;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Batch normalisation of the last (channel) dimension of rows shaped [H, W, C] (or [C] for dense
 * features), followed by a pointwise activation, forward and backward by hand. Training passes
 * normalise each group of rows with its own statistics and fold them into the running mean and
 * (unbiased) variance with momentum 0.1, as PyTorch does; evaluation passes use the running
 * statistics. With channels last every loop runs over contiguous memory.
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
    private final int spatial;
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
    private final float[] mu1;
    private final float[] mu2;
    private Tensor x;
    private int lastGroups;

    /** Registers gamma ~ N(1, 0.02) and beta = 0, and running mean 0 / variance 1. */
    public static void register(ParamLayout.Builder params, ParamLayout.Builder stats, String name, int channels) {
        params.add(name + ".weight", ParamLayout.Init.ONE_PLUS_NORMAL, 0.02, channels);
        params.add(name + ".bias", ParamLayout.Init.ZERO, 0, channels);
        stats.add(name + ".running_mean", ParamLayout.Init.ZERO, 0, channels);
        stats.add(name + ".running_var", ParamLayout.Init.ONE, 0, channels);
    }

    /** @param shape per-row shape, channels last: [H, W, C] for feature maps, [C] for dense features */
    public BatchNormAct(Params params, RunningStats stats, String name, Activation act, int maxRows, int maxGroups, long... shape) {
        this.params = params;
        this.stats = stats;
        this.gammaName = name + ".weight";
        this.betaName = name + ".bias";
        this.meanName = name + ".running_mean";
        this.varName = name + ".running_var";
        this.channels = (int) shape[shape.length - 1];
        long s = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            s *= shape[i];
        }
        this.spatial = (int) s;
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
        this.mu1 = new float[channels];
        this.mu2 = new float[channels];
    }

    @Override
    public long[] outShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != channels * spatial) {
            throw new IllegalArgumentException(gammaName + ": input rows have " + in.rowSize() + " values, expected " + channels * spatial);
        }
        x = in;
        int groups = pass.groups();
        if (n % groups != 0 || groups > mean.length) {
            throw new IllegalArgumentException(gammaName + ": cannot split " + n + " rows into " + groups + " groups");
        }
        lastGroups = groups;
        int per = (n / groups) * spatial;
        FloatBuffer xf = in.floats();
        FloatBuffer p = params.hostValues();
        int g0 = params.offset(gammaName);
        int b0 = params.offset(betaName);
        FloatBuffer s = Tensor.floatsOf(stats.values());
        int m0 = stats.offset(meanName);
        int v0 = stats.offset(varName);
        for (int g = 0; g < groups; g++) {
            int from = g * per;
            if (pass.training()) {
                moments(xf, from, from + per, mean[g], invStd[g], s, m0, v0);
            } else {
                for (int c = 0; c < channels; c++) {
                    mean[g][c] = s.get(m0 + c);
                    invStd[g][c] = (float) (1.0 / Math.sqrt(s.get(v0 + c) + EPS));
                }
            }
            for (int c = 0; c < channels; c++) {
                float sc = p.get(g0 + c) * invStd[g][c];
                scale[c] = sc;
                shift[c] = p.get(b0 + c) - mean[g][c] * sc;
            }
            normalise(xf, y.floats(), from, from + per);
        }
        return y;
    }

    /** y = act(x * scale + shift) per channel, one pass; a loop per activation keeps each loop simple. */
    private void normalise(FloatBuffer xf, FloatBuffer yf, int r0, int r1) {
        int c0 = channels;
        float[] sc = scale;
        float[] sh = shift;
        switch (act) {
            case RELU -> {
                for (int r = r0; r < r1; r++) {
                    int base = r * c0;
                    for (int c = 0; c < c0; c++) {
                        yf.put(base + c, Math.max(xf.get(base + c) * sc[c] + sh[c], 0f));
                    }
                }
            }
            case LEAKY_RELU -> {
                for (int r = r0; r < r1; r++) {
                    int base = r * c0;
                    for (int c = 0; c < c0; c++) {
                        float v = xf.get(base + c) * sc[c] + sh[c];
                        yf.put(base + c, Math.max(v, Activation.LEAKY_SLOPE * v));
                    }
                }
            }
            default -> {
                for (int r = r0; r < r1; r++) {
                    int base = r * c0;
                    for (int c = 0; c < c0; c++) {
                        yf.put(base + c, act.apply(xf.get(base + c) * sc[c] + sh[c]));
                    }
                }
            }
        }
    }

    /** Batch mean and 1/sqrt(var + eps) over pixel rows [r0, r1), folded into the running statistics. */
    private void moments(FloatBuffer xf, int r0, int r1, float[] mu, float[] inv, FloatBuffer s, int m0, int v0) {
        long count = r1 - r0;
        Arrays.fill(acc1, 0);
        Arrays.fill(acc2, 0);
        for (int r = r0; r < r1; r++) {
            int base = r * channels;
            for (int c = 0; c < channels; c++) {
                acc1[c] += xf.get(base + c);
            }
        }
        for (int c = 0; c < channels; c++) {
            mu[c] = (float) (acc1[c] / count);
        }
        // Two passes: the variance from centred values does not cancel catastrophically.
        for (int r = r0; r < r1; r++) {
            int base = r * channels;
            for (int c = 0; c < channels; c++) {
                double d = xf.get(base + c) - mu[c];
                acc2[c] += d * d;
            }
        }
        double unbias = count > 1 ? (double) count / (count - 1) : 1.0;
        for (int c = 0; c < channels; c++) {
            double var = acc2[c] / count;
            inv[c] = (float) (1.0 / Math.sqrt(var + EPS));
            s.put(m0 + c, (1 - MOMENTUM) * s.get(m0 + c) + MOMENTUM * mu[c]);
            s.put(v0 + c, (float) ((1 - MOMENTUM) * s.get(v0 + c) + MOMENTUM * var * unbias));
        }
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        int groups = lastGroups;
        int per = (n / groups) * spatial;
        FloatBuffer xf = x.floats();
        FloatBuffer yf = y.floats();
        FloatBuffer dy = gradOut.floats();
        FloatBuffer dx = gradIn.floats();
        FloatBuffer p = params.hostValues();
        FloatBuffer pg = params.hostGrads();
        int g0 = params.offset(gammaName);
        int b0 = params.offset(betaName);
        if (grads.params()) {
            for (int c = 0; c < channels; c++) {
                pg.put(g0 + c, 0f);
                pg.put(b0 + c, 0f);
            }
        }
        for (int g = 0; g < groups; g++) {
            int from = g * per;
            int to = from + per;
            // dL/dz (z = the normalised, affine value) is dy * act'(y), recomputed in each pass
            // rather than stored.
            Arrays.fill(acc1, 0);
            Arrays.fill(acc2, 0);
            float[] mu = mean[g];
            float[] inv = invStd[g];
            for (int r = from; r < to; r++) {
                int base = r * channels;
                for (int c = 0; c < channels; c++) {
                    float d = dy.get(base + c) * act.derivative(yf.get(base + c));
                    acc1[c] += d;
                    acc2[c] += d * ((xf.get(base + c) - mu[c]) * inv[c]);
                }
            }
            for (int c = 0; c < channels; c++) {
                if (grads.params()) {
                    pg.put(g0 + c, (float) (pg.get(g0 + c) + acc2[c]));
                    pg.put(b0 + c, (float) (pg.get(b0 + c) + acc1[c]));
                }
                scale[c] = p.get(g0 + c) * inv[c];
                mu1[c] = (float) (acc1[c] / per);
                mu2[c] = (float) (acc2[c] / per);
            }
            if (grads.input()) {
                // dx = gamma / sigma * (dz - mean(dz) - xhat * mean(dz * xhat))
                for (int r = from; r < to; r++) {
                    int base = r * channels;
                    for (int c = 0; c < channels; c++) {
                        float xhat = (xf.get(base + c) - mu[c]) * inv[c];
                        float d = dy.get(base + c) * act.derivative(yf.get(base + c));
                        dx.put(base + c, scale[c] * (d - mu1[c] - xhat * mu2[c]));
                    }
                }
            }
        }
        return gradIn;
    }
}
