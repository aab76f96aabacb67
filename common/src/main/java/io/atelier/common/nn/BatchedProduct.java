package io.atelier.common.nn;

import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * c = op(a) op(b) for every row of fixed buffers whose rows are matrices (op: optional
 * transpose), as one native batched product built once per row count.
 */
final class BatchedProduct {
    private final Tensor a;
    private final Tensor b;
    private final Tensor c;
    private final long[] aShape;
    private final long[] bShape;
    private final long[] cShape;
    private final boolean transA;
    private final boolean transB;
    private final DynamicCustomOp[] ops;

    BatchedProduct(Tensor a, long[] aShape, boolean transA, Tensor b, long[] bShape, boolean transB, Tensor c, long[] cShape) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.aShape = aShape.clone();
        this.bShape = bShape.clone();
        this.cShape = cShape.clone();
        this.transA = transA;
        this.transB = transB;
        this.ops = new DynamicCustomOp[c.maxRows() + 1];
    }

    /** Whether this product reads exactly these buffers. */
    boolean reads(Tensor a, Tensor b) {
        return this.a == a && this.b == b;
    }

    void exec(int n) {
        DynamicCustomOp op = ops[n];
        if (op == null) {
            op = NativeOps.matmul(a.rows(n, aShape), b.rows(n, bShape), c.rows(n, cShape), transA, transB);
            ops[n] = op;
        }
        NativeOps.exec(op);
    }
}
