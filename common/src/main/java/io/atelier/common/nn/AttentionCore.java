package io.atelier.common.nn;

import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftmaxBp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scaled dot-product attention {@code softmax(q k^T * scale + mask) v} over fixed buffers whose
 * rows hold [.., Tq, d] queries and [.., Tk, d] keys and values (leading axes, e.g. heads, are
 * batched), and its adjoint. The products are batched matmuls ({@link BatchedProduct}) with the
 * scale folded in; the softmax and its adjoint the backend's {@code softmax} and
 * {@code softmax_bp} over the last axis. An optional additive key mask (0 to keep, a large
 * negative value for padding; per row [.., 1, Tk]) broadcasts over the queries; the softmax's
 * adjoint does not see it, since a constant shift of a score has no gradient of its own.
 */
final class AttentionCore {
    /** The additive mask value of a padding key: exp of it underflows to exactly 0 next to any real score. */
    static final float MASKED = -1e9f;

    private final double scale;
    private final long[] qShape;
    private final long[] kShape;
    private final long[] sShape;
    private final long[] maskShape;
    private final Tensor scores;
    private final Tensor probs;
    private final Tensor dProbs;
    private final Tensor dScores;
    private final Tensor out;
    private final Tensor gq;
    private final Tensor gk;
    private final Tensor gv;
    private final DynamicCustomOp[] maskOps;
    private Tensor values;
    private Tensor mask;
    private BatchedProduct scoreProduct;
    private BatchedProduct attend;
    private BatchedProduct gradValues;
    private BatchedProduct gradProbs;
    private BatchedProduct gradQueries;
    private BatchedProduct gradKeys;

    /**
     * @param qShape   per-row shape of the queries (and the output) as the products see them: [.., Tq, d]
     * @param kShape   per-row shape of the keys and values: [.., Tk, d]
     * @param outShape per-row shape of the output and query-gradient buffers as callers read them
     * @param kvShape  per-row shape of the key- and value-gradient buffers as callers read them
     */
    AttentionCore(int maxRows, long[] qShape, long[] kShape, long[] outShape, long[] kvShape, double scale) {
        int r = qShape.length;
        this.scale = scale;
        this.qShape = qShape.clone();
        this.kShape = kShape.clone();
        this.sShape = qShape.clone();
        sShape[r - 1] = kShape[r - 2];
        this.maskShape = new long[r];
        java.util.Arrays.fill(maskShape, 1);
        maskShape[r - 1] = kShape[r - 2];
        this.scores = new Tensor(maxRows, sShape);
        this.probs = new Tensor(maxRows, sShape);
        this.dProbs = new Tensor(maxRows, sShape);
        this.dScores = new Tensor(maxRows, sShape);
        this.out = new Tensor(maxRows, outShape);
        this.gq = new Tensor(maxRows, outShape);
        this.gk = new Tensor(maxRows, kvShape);
        this.gv = new Tensor(maxRows, kvShape);
        this.maskOps = new DynamicCustomOp[maxRows + 1];
    }

    /**
     * The attended values of rows [0, n); {@code mask} (per row one value per key, or null for
     * none) is added to the scores. The same q, k and v buffers are expected on every call.
     */
    Tensor forward(Tensor q, Tensor k, Tensor v, Tensor mask, int n) {
        if (scoreProduct == null || !scoreProduct.reads(q, k) || values != v) {
            bind(q, k, v);
        }
        scoreProduct.exec(n);
        if (mask != null) {
            if (this.mask != mask) {
                java.util.Arrays.fill(maskOps, null);
                this.mask = mask;
            }
            DynamicCustomOp op = maskOps[n];
            if (op == null) {
                // [n, .., 1, Tk] broadcasts over the query axis (and the heads).
                op = DynamicCustomOp.builder("add").addInputs(scores.rows(n), mask.rows(n, maskShape))
                        .addOutputs(scores.rows(n)).build();
                maskOps[n] = op;
            }
            Nd4j.exec(op);
        }
        Nd4j.exec(new SoftMax(scores.rows(n), probs.rows(n), -1));
        attend.exec(n);
        return out;
    }

    private void bind(Tensor q, Tensor k, Tensor v) {
        scoreProduct = new BatchedProduct(q, qShape, false, k, kShape, true, scores, sShape, scale);
        attend = new BatchedProduct(probs, sShape, false, v, kShape, false, out, qShape);
        values = v;
        gradValues = null;
        gradProbs = null;
        gradQueries = new BatchedProduct(dScores, sShape, false, k, kShape, false, gq, qShape, scale);
        gradKeys = new BatchedProduct(dScores, sShape, true, q, qShape, false, gk, kShape, scale);
    }

    /** Gradients of the last forward pass's q, k and v from the output's gradient {@code gOut}. */
    void backward(Tensor gOut, int n) {
        if (gradValues == null || !gradValues.reads(probs, gOut)) {
            gradValues = new BatchedProduct(probs, sShape, true, gOut, qShape, false, gv, kShape);
            gradProbs = new BatchedProduct(gOut, qShape, false, values, kShape, true, dProbs, sShape);
        }
        gradValues.exec(n);
        gradProbs.exec(n);
        Nd4j.exec(new SoftmaxBp(scores.rows(n), dProbs.rows(n), dScores.rows(n), -1));
        gradQueries.exec(n);
        gradKeys.exec(n);
    }

    Tensor gradQueries() {
        return gq;
    }

    Tensor gradKeys() {
        return gk;
    }

    Tensor gradValues() {
        return gv;
    }
}
