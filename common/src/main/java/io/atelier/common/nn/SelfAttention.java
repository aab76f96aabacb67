package io.atelier.common.nn;

import java.nio.FloatBuffer;

/**
 * Single-head self-attention over the pixels of NHWC rows [H, W, C], with a residual:
 * {@code y = x + Wo(softmax(q k^T / sqrt(C)) v)} where q, k, v are 1x1 convolutions of
 * GroupNorm(x). Meant for the U-Net's lowest resolution (7x7 or 8x8). The projections and the
 * attention products run on the backend's kernels, the products batched over the rows; the
 * softmax and its adjoint are Java loops split over the rows.
 */
public final class SelfAttention implements Layer {
    private final int tokens;
    private final float scale;
    private final long[] tokenShape;
    private final long[] squareShape;
    private final GroupNormAct norm;
    private final Conv2d q;
    private final Conv2d k;
    private final Conv2d v;
    private final Conv2d proj;
    private final Tensor probs;
    private final Tensor dScores;
    private final Tensor attended;
    private final Tensor gq;
    private final Tensor gk;
    private final Tensor gv;
    private final Tensor y;
    private final Tensor gradIn;
    private final Tensor gradSum;
    private Tensor values;
    private BatchedProduct scores;
    private BatchedProduct attend;
    private BatchedProduct gradValues;
    private BatchedProduct gradProbs;
    private BatchedProduct gradQueries;
    private BatchedProduct gradKeys;

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
        this.scale = (float) (1.0 / Math.sqrt(c));
        this.tokenShape = new long[]{tokens, c};
        this.squareShape = new long[]{tokens, tokens};
        this.norm = new GroupNormAct(params, name + ".norm", Math.min(groups, c), false, maxRows, h, w, c);
        this.q = new Conv2d(params, name + ".q", false, c, c, 1, 1, 0, h, w, maxRows);
        this.k = new Conv2d(params, name + ".k", false, c, c, 1, 1, 0, h, w, maxRows);
        this.v = new Conv2d(params, name + ".v", false, c, c, 1, 1, 0, h, w, maxRows);
        this.proj = new Conv2d(params, name + ".proj", false, c, c, 1, 1, 0, h, w, maxRows);
        this.probs = new Tensor(maxRows, tokens, tokens);
        this.dScores = new Tensor(maxRows, tokens, tokens);
        this.attended = new Tensor(maxRows, h, w, c);
        this.gq = new Tensor(maxRows, h, w, c);
        this.gk = new Tensor(maxRows, h, w, c);
        this.gv = new Tensor(maxRows, h, w, c);
        this.y = new Tensor(maxRows, h, w, c);
        this.gradIn = new Tensor(maxRows, h, w, c);
        this.gradSum = new Tensor(maxRows, h, w, c);
    }

    @Override
    public long[] outShape() {
        return y.rowShape();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        Tensor hn = norm.forward(in, n, pass);
        Tensor qOut = q.forward(hn, n, pass);
        Tensor kOut = k.forward(hn, n, pass);
        Tensor vOut = v.forward(hn, n, pass);
        if (scores == null || !scores.reads(qOut, kOut)) {
            bind(qOut, kOut, vOut);
        }
        scores.exec(n);
        softmax(n);
        attend.exec(n);
        return Pointwise.add(in, proj.forward(attended, n, pass), y, n);
    }

    /** The products over the projections' output buffers, which stay the same from call to call. */
    private void bind(Tensor qOut, Tensor kOut, Tensor vOut) {
        scores = new BatchedProduct(qOut, tokenShape, false, kOut, tokenShape, true, probs, squareShape);
        attend = new BatchedProduct(probs, squareShape, false, vOut, tokenShape, false, attended, tokenShape);
        values = vOut;
        gradValues = null;
        gradProbs = null;
        gradQueries = new BatchedProduct(dScores, squareShape, false, kOut, tokenShape, false, gq, tokenShape);
        gradKeys = new BatchedProduct(dScores, squareShape, true, qOut, tokenShape, false, gk, tokenShape);
    }

    /** Each row of the scores q k^T, in place: softmax(scale * scores). */
    private void softmax(int n) {
        Parallel.rows(n, (long) tokens * tokens, (from, to) -> {
            FloatBuffer p = probs.floats();
            for (int i = from * tokens, end = to * tokens; i < end; i++) {
                int pi = i * tokens;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < tokens; j++) {
                    float s = p.get(pi + j) * scale;
                    p.put(pi + j, s);
                    max = Math.max(max, s);
                }
                float total = 0;
                for (int j = 0; j < tokens; j++) {
                    float e = (float) Math.exp(p.get(pi + j) - max);
                    p.put(pi + j, e);
                    total += e;
                }
                float inv = 1f / total;
                for (int j = 0; j < tokens; j++) {
                    p.put(pi + j, p.get(pi + j) * inv);
                }
            }
        });
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        Tensor ga = proj.backward(gradOut, n, Grads.ALL);
        if (gradValues == null || !gradValues.reads(probs, ga)) {
            gradValues = new BatchedProduct(probs, squareShape, true, ga, tokenShape, false, gv, tokenShape);
            gradProbs = new BatchedProduct(ga, tokenShape, false, values, tokenShape, true, dScores, squareShape);
        }
        gradValues.exec(n);
        gradProbs.exec(n);
        softmaxBackward(n);
        gradQueries.exec(n);
        gradKeys.exec(n);
        Tensor a = q.backward(gq, n, Grads.ALL);
        Tensor b = k.backward(gk, n, Grads.ALL);
        Pointwise.add(Pointwise.add(a, b, gradSum, n), v.backward(gv, n, Grads.ALL), gradSum, n);
        return Pointwise.add(norm.backward(gradSum, n, Grads.ALL), gradOut, gradIn, n);
    }

    /** Each row of dP = dA v^T, in place: the scores' gradient scale * P * (dP - sum_j P dP). */
    private void softmaxBackward(int n) {
        Parallel.rows(n, (long) tokens * tokens, (from, to) -> {
            FloatBuffer p = probs.floats();
            FloatBuffer d = dScores.floats();
            for (int i = from * tokens, end = to * tokens; i < end; i++) {
                int pi = i * tokens;
                float weighted = 0;
                for (int j = 0; j < tokens; j++) {
                    weighted += p.get(pi + j) * d.get(pi + j);
                }
                for (int j = 0; j < tokens; j++) {
                    d.put(pi + j, p.get(pi + j) * (d.get(pi + j) - weighted) * scale);
                }
            }
        });
    }
}
