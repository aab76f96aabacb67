package io.atelier.common.nn;

import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Single-head self-attention over the pixels of NHWC rows [H, W, C], with a residual:
 * {@code y = x + Wo(softmax(q k^T / sqrt(C)) v)} where q, k, v are 1x1 convolutions of
 * GroupNorm(x). Meant for the U-Net's lowest resolution (7x7 or 8x8). The projections run on
 * the backend's convolutions, the attention itself in {@link AttentionCore}.
 */
public final class SelfAttention implements Layer {
    private final GroupNormAct norm;
    private final Conv2d q;
    private final Conv2d k;
    private final Conv2d v;
    private final Conv2d proj;
    private final AttentionCore core;
    private final Tensor y;
    private final Tensor gradIn;
    private final Tensor gradSum;

    public static void register(ParamLayout.Builder layout, String name, int c) {
        GroupNormAct.register(layout, name + ".norm", c);
        double std = Math.sqrt(1.0 / c);
        Conv2d.register(layout, name + ".q", false, c, c, 1, std);
        Conv2d.register(layout, name + ".k", false, c, c, 1, std);
        Conv2d.register(layout, name + ".v", false, c, c, 1, std);
        Conv2d.register(layout, name + ".proj", false, c, c, 1, 0.1 * std);
    }

    public SelfAttention(Params params, String name, int h, int w, int c, int groups, int maxRows) {
        long[] tokenShape = {(long) h * w, c};
        long[] mapShape = {h, w, c};
        this.norm = new GroupNormAct(params, name + ".norm", Math.min(groups, c), false, maxRows, h, w, c);
        this.q = new Conv2d(params, name + ".q", false, c, c, 1, 1, 0, h, w, maxRows);
        this.k = new Conv2d(params, name + ".k", false, c, c, 1, 1, 0, h, w, maxRows);
        this.v = new Conv2d(params, name + ".v", false, c, c, 1, 1, 0, h, w, maxRows);
        this.proj = new Conv2d(params, name + ".proj", false, c, c, 1, 1, 0, h, w, maxRows);
        this.core = new AttentionCore(maxRows, tokenShape, tokenShape, mapShape, mapShape, 1.0 / Math.sqrt(c));
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
        Tensor attended = core.forward(q.forward(hn, n, pass), k.forward(hn, n, pass), v.forward(hn, n, pass), null, n);
        Nd4j.exec(new AddOp(in.matrix(n), proj.forward(attended, n, pass).matrix(n), y.matrix(n)));
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        core.backward(proj.backward(gradOut, n, Grads.ALL), n);
        Tensor a = q.backward(core.gradQueries(), n, Grads.ALL);
        Tensor b = k.backward(core.gradKeys(), n, Grads.ALL);
        Tensor c = v.backward(core.gradValues(), n, Grads.ALL);
        Nd4j.exec(new AddOp(a.matrix(n), b.matrix(n), gradSum.matrix(n)));
        Nd4j.exec(new AddOp(gradSum.matrix(n), c.matrix(n), gradSum.matrix(n)));
        Tensor gn = norm.backward(gradSum, n, Grads.ALL);
        Nd4j.exec(new AddOp(gn.matrix(n), gradOut.matrix(n), gradIn.matrix(n)));
        return gradIn;
    }
}
