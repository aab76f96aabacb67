package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A U-Net skip join: NHWC rows [H, W, Ca] and [H, W, Cb] -> [H, W, Ca + Cb] with the backend's
 * {@code concat} on the channel axis; backward copies the two channel slices of the gradient
 * into {@link #gradA} and {@link #gradB}.
 */
public final class ChannelConcat {
    private final int h;
    private final int w;
    private final int ca;
    private final int cb;
    private final Tensor y;
    private final Tensor gradA;
    private final Tensor gradB;
    private final DynamicCustomOp[] ops;
    private Tensor a;
    private Tensor b;

    public ChannelConcat(int h, int w, int ca, int cb, int maxRows) {
        this.h = h;
        this.w = w;
        this.ca = ca;
        this.cb = cb;
        this.y = new Tensor(maxRows, h, w, ca + cb);
        this.gradA = new Tensor(maxRows, h, w, ca);
        this.gradB = new Tensor(maxRows, h, w, cb);
        this.ops = new DynamicCustomOp[maxRows + 1];
    }

    public Tensor forward(Tensor a, Tensor b, int n) {
        if (a.rowSize() != h * w * ca || b.rowSize() != h * w * cb) {
            throw new IllegalArgumentException("concat: inputs of " + a.rowSize() + " and " + b.rowSize()
                    + " values per row, expected " + h * w * ca + " and " + h * w * cb);
        }
        if (a != this.a || b != this.b) {
            this.a = a;
            this.b = b;
            java.util.Arrays.fill(ops, null);
        }
        DynamicCustomOp op = ops[n];
        if (op == null) {
            op = DynamicCustomOp.builder("concat")
                    .addInputs(a.rows(n, h, w, ca), b.rows(n, h, w, cb))
                    .addOutputs(y.rows(n))
                    .addIntegerArguments(3)
                    .build();
            ops[n] = op;
        }
        Nd4j.exec(op);
        return y;
    }

    /** Splits {@code gradOut} into {@link #gradA} and {@link #gradB}. */
    public void backward(Tensor gradOut, int n) {
        gradA.rows(n).assign(sliceA(gradOut, n));
        gradB.rows(n).assign(sliceB(gradOut, n));
    }

    /** The first input's channels of rows [0, n) of {@code t} (shaped like the output), as a view. */
    private INDArray sliceA(Tensor t, int n) {
        return t.rows(n, h, w, ca + cb).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, ca));
    }

    /** The second input's channels of rows [0, n) of {@code t} (shaped like the output), as a view. */
    private INDArray sliceB(Tensor t, int n) {
        return t.rows(n, h, w, ca + cb).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(ca, ca + cb));
    }

    public Tensor gradA() {
        return gradA;
    }

    public Tensor gradB() {
        return gradB;
    }
}
