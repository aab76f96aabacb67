package io.atelier.common.nn;

import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * c = alpha op(a) op(b) for every row of fixed buffers whose rows are matrices (op: optional
 * transpose), overwriting c, as one native batched {@code matmul} built once per row count.
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
    private final double alpha;
    private final DynamicCustomOp[] ops;

    BatchedProduct(Tensor a, long[] aShape, boolean transA, Tensor b, long[] bShape, boolean transB, Tensor c, long[] cShape) {
        this(a, aShape, transA, b, bShape, transB, c, cShape, 1.0);
    }

    BatchedProduct(Tensor a, long[] aShape, boolean transA, Tensor b, long[] bShape, boolean transB, Tensor c, long[] cShape,
                   double alpha) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.aShape = aShape.clone();
        this.bShape = bShape.clone();
        this.cShape = cShape.clone();
        this.transA = transA;
        this.transB = transB;
        this.alpha = alpha;
        this.ops = new DynamicCustomOp[c.maxRows() + 1];
    }

    /** Whether this product reads exactly these buffers. */
    boolean reads(Tensor a, Tensor b) {
        return this.a == a && this.b == b;
    }

    void exec(int n) {
        DynamicCustomOp op = ops[n];
        if (op == null) {
            op = DynamicCustomOp.builder("matmul")
                    .addInputs(a.rows(n, aShape), b.rows(n, bShape))
                    .addOutputs(c.rows(n, cShape))
                    .addIntegerArguments(transA ? 1 : 0, transB ? 1 : 0, 0)
                    .addFloatingPointArguments(alpha, 0.0)
                    .build();
            ops[n] = op;
        }
        Nd4j.exec(op);
    }
}
