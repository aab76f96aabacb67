package io.atelier.common.nn;

import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftmaxBp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Single-head self-attention over the pixels of NHWC rows [H, W, C], with a residual:
 * {@code y = x + Wo(softmax(q k^T / sqrt(C)) v)} where q, k, v are 1x1 convolutions of
 * GroupNorm(x). Meant for the U-Net's lowest resolution (7x7 or 8x8). The projections run on
 * the backend's convolutions, the attention products as batched matmuls over the rows (the
 * 1 / sqrt(C) folded into the products' scale), the softmax and its adjoint as the backend's
 * {@code softmax} and {@code softmax_bp} over the last axis.
 */
public final class SelfAttention implements Layer {
    private final double scale;
    private final long[] tokenShape;
    private final long[] squareShape;
    private final GroupNormAct norm;
    private final Conv2d q;
    private final Conv2d k;
    private final Conv2d v;
    private final Conv2d proj;
    private final Tensor scores;
    private final Tensor probs;
    private final Tensor dProbs;
    private final Tensor dScores;
    private final Tensor attended;
    private final Tensor gq;
    private final Tensor gk;
    private final Tensor gv;
    private final Tensor y;
    private final Tensor gradIn;
    private final Tensor gradSum;
    private Tensor values;
    private BatchedProduct scoreProduct;
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
        int tokens = h * w;
        this.scale = 1.0 / Math.sqrt(c);
        this.tokenShape = new long[]{tokens, c};
        this.squareShape = new long[]{tokens, tokens};
        this.norm = new GroupNormAct(params, name + ".norm", Math.min(groups, c), false, maxRows, h, w, c);
        this.q = new Conv2d(params, name + ".q", false, c, c, 1, 1, 0, h, w, maxRows);
        this.k = new Conv2d(params, name + ".k", false, c, c, 1, 1, 0, h, w, maxRows);
        this.v = new Conv2d(params, name + ".v", false, c, c, 1, 1, 0, h, w, maxRows);
        this.proj = new Conv2d(params, name + ".proj", false, c, c, 1, 1, 0, h, w, maxRows);
        this.scores = new Tensor(maxRows, tokens, tokens);
        this.probs = new Tensor(maxRows, tokens, tokens);
        this.dProbs = new Tensor(maxRows, tokens, tokens);
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
        if (scoreProduct == null || !scoreProduct.reads(qOut, kOut)) {
            bind(qOut, kOut, vOut);
        }
        scoreProduct.exec(n);
        Nd4j.exec(new SoftMax(scores.rows(n), probs.rows(n), -1));
        attend.exec(n);
        Nd4j.exec(new AddOp(in.matrix(n), proj.forward(attended, n, pass).matrix(n), y.matrix(n)));
        return y;
    }

    /** The products over the projections' output buffers, which stay the same from call to call. */
    private void bind(Tensor qOut, Tensor kOut, Tensor vOut) {
        scoreProduct = new BatchedProduct(qOut, tokenShape, false, kOut, tokenShape, true, scores, squareShape, scale);
        attend = new BatchedProduct(probs, squareShape, false, vOut, tokenShape, false, attended, tokenShape);
        values = vOut;
        gradValues = null;
        gradProbs = null;
        gradQueries = new BatchedProduct(dScores, squareShape, false, kOut, tokenShape, false, gq, tokenShape, scale);
        gradKeys = new BatchedProduct(dScores, squareShape, true, qOut, tokenShape, false, gk, tokenShape, scale);
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        Tensor ga = proj.backward(gradOut, n, Grads.ALL);
        if (gradValues == null || !gradValues.reads(probs, ga)) {
            gradValues = new BatchedProduct(probs, squareShape, true, ga, tokenShape, false, gv, tokenShape);
            gradProbs = new BatchedProduct(ga, tokenShape, false, values, tokenShape, true, dProbs, squareShape);
        }
        gradValues.exec(n);
        gradProbs.exec(n);
        Nd4j.exec(new SoftmaxBp(scores.rows(n), dProbs.rows(n), dScores.rows(n), -1));
        gradQueries.exec(n);
        gradKeys.exec(n);
        Tensor a = q.backward(gq, n, Grads.ALL);
        Tensor b = k.backward(gk, n, Grads.ALL);
        Tensor c = v.backward(gv, n, Grads.ALL);
        Nd4j.exec(new AddOp(a.matrix(n), b.matrix(n), gradSum.matrix(n)));
        Nd4j.exec(new AddOp(gradSum.matrix(n), c.matrix(n), gradSum.matrix(n)));
        Tensor gn = norm.backward(gradSum, n, Grads.ALL);
        Nd4j.exec(new AddOp(gn.matrix(n), gradOut.matrix(n), gradIn.matrix(n)));
        return gradIn;
    }
}
