package io.atelier.common.nn;

import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head attention of Tq query positions over Tk context positions: per-position linear
 * projections q (from the query source), k and v (from the context), H heads of width d = D / H
 * attended in one {@link AttentionCore} call over [H, T, d] rows, and an output projection
 * back to the query source's width. The head split and merge are permuted copies. Gradients
 * come back for the query source and for the context (which, in self-attention, is the same
 * tensor: the caller adds them).
 */
final class MultiHeadAttention {
    private final int heads;
    private final int queries;
    private final int keys;
    private final int width;
    private final Dense q;
    private final Dense k;
    private final Dense v;
    private final Dense out;
    private final Tensor qh;
    private final Tensor kh;
    private final Tensor vh;
    private final Tensor merged;
    private final Tensor gOutHeads;
    private final Tensor gq;
    private final Tensor gk;
    private final Tensor gv;
    private final Tensor gContext;
    private final AttentionCore core;

    static void register(ParamLayout.Builder layout, String name, int queryWidth, int contextWidth, int width, double outGain) {
        Dense.register(layout, name + ".q", queryWidth, width, Math.sqrt(1.0 / queryWidth));
        Dense.register(layout, name + ".k", contextWidth, width, Math.sqrt(1.0 / contextWidth));
        Dense.register(layout, name + ".v", contextWidth, width, Math.sqrt(1.0 / contextWidth));
        Dense.register(layout, name + ".out", width, queryWidth, outGain * Math.sqrt(1.0 / width));
    }

    /**
     * @param queryPositions per-row shape of the query source's positions ([T] for tokens, [H, W] for a map)
     */
    MultiHeadAttention(Params params, String name, long[] queryPositions, int queryWidth, int keys, int contextWidth,
                       int width, int heads, int maxRows) {
        if (heads < 1 || width % heads != 0) {
            throw new IllegalArgumentException(name + ": width " + width + " does not split into " + heads + " heads");
        }
        long tq = 1;
        for (long p : queryPositions) {
            tq *= p;
        }
        this.heads = heads;
        this.queries = (int) tq;
        this.keys = keys;
        this.width = width;
        int d = width / heads;
        this.q = Dense.perPosition(params, name + ".q", queryWidth, width, maxRows, queryPositions);
        this.k = Dense.perPosition(params, name + ".k", contextWidth, width, maxRows, keys);
        this.v = Dense.perPosition(params, name + ".v", contextWidth, width, maxRows, keys);
        this.out = Dense.perPosition(params, name + ".out", width, queryWidth, maxRows, queryPositions);
        long[] qShape = {heads, queries, d};
        long[] kShape = {heads, keys, d};
        this.qh = new Tensor(maxRows, qShape);
        this.kh = new Tensor(maxRows, kShape);
        this.vh = new Tensor(maxRows, kShape);
        this.merged = new Tensor(maxRows, queries, width);
        this.gOutHeads = new Tensor(maxRows, qShape);
        this.gq = new Tensor(maxRows, queries, width);
        this.gk = new Tensor(maxRows, keys, width);
        this.gv = new Tensor(maxRows, keys, width);
        this.gContext = new Tensor(maxRows, keys, contextWidth);
        this.core = new AttentionCore(maxRows, qShape, kShape, qShape, kShape, 1.0 / Math.sqrt(d));
    }

    /** The attended, projected values for rows [0, n), shaped as the query source. */
    Tensor forward(Tensor querySource, Tensor context, Tensor mask, int n, Layer.Pass pass) {
        split(q.forward(querySource, n, pass), queries, qh, n);
        split(k.forward(context, n, pass), keys, kh, n);
        split(v.forward(context, n, pass), keys, vh, n);
        merge(core.forward(qh, kh, vh, mask, n), queries, merged, n);
        return out.forward(merged, n, pass);
    }

    /** The query source's gradient; {@link #gradContext()} then holds the context's. */
    Tensor backward(Tensor gradOut, int n) {
        split(out.backward(gradOut, n, Layer.Grads.ALL), queries, gOutHeads, n);
        core.backward(gOutHeads, n);
        merge(core.gradQueries(), queries, gq, n);
        merge(core.gradKeys(), keys, gk, n);
        merge(core.gradValues(), keys, gv, n);
        Tensor a = k.backward(gk, n, Layer.Grads.ALL);
        Tensor b = v.backward(gv, n, Layer.Grads.ALL);
        Nd4j.exec(new AddOp(a.matrix(n), b.matrix(n), gContext.matrix(n)));
        return q.backward(gq, n, Layer.Grads.ALL);
    }

    Tensor gradContext() {
        return gContext;
    }

    /** [n, T, H * d] -> [n, H, T, d]. */
    private void split(Tensor x, int positions, Tensor to, int n) {
        to.rows(n).assign(x.rows(n, positions, heads, width / heads).permute(0, 2, 1, 3));
    }

    /** [n, H, T, d] -> [n, T, H * d]. */
    private void merge(Tensor x, int positions, Tensor to, int n) {
        to.rows(n, positions, heads, width / heads).assign(x.rows(n).permute(0, 2, 1, 3));
    }
}
