package io.atelier.common.nn;

import java.nio.FloatBuffer;

/**
 * Single-head self-attention over the pixels of NHWC rows [H, W, C], with a residual:
 * {@code y = x + Wo(softmax(q k^T / sqrt(C)) v)} where q, k, v are 1x1 convolutions of
 * GroupNorm(x). Meant for the U-Net's lowest resolution (7x7 or 8x8), where the attention
 * products are small enough for plain loops; the projections run on the backend's kernels.
 */
public final class SelfAttention implements Layer {
    private final int tokens;
    private final int c;
    private final float scale;
    private final GroupNormAct norm;
    private final Conv2d q;
    private final Conv2d k;
    private final Conv2d v;
    private final Conv2d proj;
    private final Tensor attended;
    private final Tensor gq;
    private final Tensor gk;
    private final Tensor gv;
    private final Tensor y;
    private final Tensor gradIn;
    private final Tensor gradSum;
    private final float[] probs;
    private final float[] dp;
    private Tensor qOut;
    private Tensor kOut;
    private Tensor vOut;

    public static void register(ParamLayout.Builder layout, String name, int c) {
        GroupNormAct.register(layout, name + ".norm", c);
        double std = Math.sqrt(1.0 / c);
        Conv2d.register(layout, name + ".q", false, c, c, 1, std);
        Conv2d.register(layout, name + ".k", false, c, c, 1, std);
        Conv2d.register(layout, name + ".v", false, c, c, 1, std);
        Conv2d.register(layout, name + ".proj", false, c, c, 1, 0.1 * std);
    }

    public SelfAttention(Params params, String name, int h, int w, int c, int groups, int maxRows) {
        this.tokens = h * w;
        this.c = c;
        this.scale = (float) (1.0 / Math.sqrt(c));
        this.norm = new GroupNormAct(params, name + ".norm", Math.min(groups, c), false, maxRows, h, w, c);
        this.q = new Conv2d(params, name + ".q", false, c, c, 1, 1, 0, h, w, maxRows);
        this.k = new Conv2d(params, name + ".k", false, c, c, 1, 1, 0, h, w, maxRows);
        this.v = new Conv2d(params, name + ".v", false, c, c, 1, 1, 0, h, w, maxRows);
        this.proj = new Conv2d(params, name + ".proj", false, c, c, 1, 1, 0, h, w, maxRows);
        this.attended = new Tensor(maxRows, h, w, c);
        this.gq = new Tensor(maxRows, h, w, c);
        this.gk = new Tensor(maxRows, h, w, c);
        this.gv = new Tensor(maxRows, h, w, c);
        this.y = new Tensor(maxRows, h, w, c);
        this.gradIn = new Tensor(maxRows, h, w, c);
        this.gradSum = new Tensor(maxRows, h, w, c);
        this.probs = new float[maxRows * tokens * tokens];
        this.dp = new float[tokens];
    }

    @Override
    public long[] outShape() {
        return y.rowShape();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        Tensor hn = norm.forward(in, n, pass);
        qOut = q.forward(hn, n, pass);
        kOut = k.forward(hn, n, pass);
        vOut = v.forward(hn, n, pass);
        FloatBuffer qf = qOut.floats();
        FloatBuffer kf = kOut.floats();
        FloatBuffer vf = vOut.floats();
        FloatBuffer af = attended.floats();
        int row = tokens * c;
        for (int r = 0; r < n; r++) {
            int base = r * row;
            int pb = r * tokens * tokens;
            for (int i = 0; i < tokens; i++) {
                float max = Float.NEGATIVE_INFINITY;
                int pi = pb + i * tokens;
                for (int j = 0; j < tokens; j++) {
                    float s = 0;
                    for (int d = 0; d < c; d++) {
                        s += qf.get(base + i * c + d) * kf.get(base + j * c + d);
                    }
                    s *= scale;
                    probs[pi + j] = s;
                    max = Math.max(max, s);
                }
                float total = 0;
                for (int j = 0; j < tokens; j++) {
                    float e = (float) Math.exp(probs[pi + j] - max);
                    probs[pi + j] = e;
                    total += e;
                }
                float inv = 1f / total;
                for (int d = 0; d < c; d++) {
                    af.put(base + i * c + d, 0f);
                }
                for (int j = 0; j < tokens; j++) {
                    float p = probs[pi + j] * inv;
                    probs[pi + j] = p;
                    for (int d = 0; d < c; d++) {
                        af.put(base + i * c + d, af.get(base + i * c + d) + p * vf.get(base + j * c + d));
                    }
                }
            }
        }
        FloatBuffer of = proj.forward(attended, n, pass).floats();
        FloatBuffer xf = in.floats();
        FloatBuffer yf = y.floats();
        for (int i = 0, end = n * row; i < end; i++) {
            yf.put(i, xf.get(i) + of.get(i));
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        FloatBuffer ga = proj.backward(gradOut, n, Grads.ALL).floats();
        FloatBuffer qf = qOut.floats();
        FloatBuffer kf = kOut.floats();
        FloatBuffer vf = vOut.floats();
        FloatBuffer gqf = gq.floats();
        FloatBuffer gkf = gk.floats();
        FloatBuffer gvf = gv.floats();
        int row = tokens * c;
        for (int i = 0, end = n * row; i < end; i++) {
            gkf.put(i, 0f);
            gvf.put(i, 0f);
        }
        for (int r = 0; r < n; r++) {
            int base = r * row;
            int pb = r * tokens * tokens;
            for (int i = 0; i < tokens; i++) {
                int pi = pb + i * tokens;
                float weighted = 0;
                for (int j = 0; j < tokens; j++) {
                    float s = 0;
                    float p = probs[pi + j];
                    for (int d = 0; d < c; d++) {
                        float g = ga.get(base + i * c + d);
                        s += g * vf.get(base + j * c + d);
                        gvf.put(base + j * c + d, gvf.get(base + j * c + d) + p * g);
                    }
                    dp[j] = s;
                    weighted += p * s;
                }
                for (int d = 0; d < c; d++) {
                    gqf.put(base + i * c + d, 0f);
                }
                for (int j = 0; j < tokens; j++) {
                    float ds = probs[pi + j] * (dp[j] - weighted) * scale;
                    for (int d = 0; d < c; d++) {
                        gqf.put(base + i * c + d, gqf.get(base + i * c + d) + ds * kf.get(base + j * c + d));
                        gkf.put(base + j * c + d, gkf.get(base + j * c + d) + ds * qf.get(base + i * c + d));
                    }
                }
            }
        }
        FloatBuffer a = q.backward(gq, n, Grads.ALL).floats();
        FloatBuffer b = k.backward(gk, n, Grads.ALL).floats();
        FloatBuffer d = v.backward(gv, n, Grads.ALL).floats();
        FloatBuffer sum = gradSum.floats();
        for (int i = 0, end = n * row; i < end; i++) {
            sum.put(i, a.get(i) + b.get(i) + d.get(i));
        }
        FloatBuffer gn = norm.backward(gradSum, n, Grads.ALL).floats();
        FloatBuffer g = gradOut.floats();
        FloatBuffer gx = gradIn.floats();
        for (int i = 0, end = n * row; i < end; i++) {
            gx.put(i, gn.get(i) + g.get(i));
        }
        return gradIn;
    }
}
