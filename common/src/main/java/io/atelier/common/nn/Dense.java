package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * y = x W^T + b with W [out, in] (PyTorch's layout); rows of the input are flattened, or, built
 * with {@link #perPosition}, the layer applies to the last axis of every position of a row
 * (each token of a sequence, each pixel of an NHWC map).
 */
public final class Dense implements Layer {
    private final String weight;
    private final int in;
    private final long[] outShape;
    private final Tensor y;
    private final Tensor gradIn;
    private final INDArray w;
    private final INDArray gw;
    private final INDArray b;
    private final INDArray gb;
    /** The bias pass over the output, per batch size. */
    private final DynamicCustomOp[] biasOps;
    private final boolean positions;
    private Tensor x;

    /** Registers W [out, in] ~ N(0, std) and b [out] = 0 under {@code name}. */
    public static void register(ParamLayout.Builder layout, String name, int in, int out, double std) {
        layout.add(name + ".weight", ParamLayout.Init.NORMAL, std, out, in);
        layout.add(name + ".bias", ParamLayout.Init.ZERO, 0, out);
    }

    public Dense(Params params, String name, int in, int out, int maxRows, long... outShape) {
        this(params, name, in, out, maxRows, false, outShape.length == 0 ? new long[]{out} : outShape.clone(), new long[]{in});
    }

    /** The layer applied at every position of rows shaped {@code positions} + [in], giving {@code positions} + [out]. */
    public static Dense perPosition(Params params, String name, int in, int out, int maxRows, long... positions) {
        return new Dense(params, name, in, out, maxRows, true, append(positions, out), append(positions, in));
    }

    private static long[] append(long[] shape, long last) {
        long[] s = java.util.Arrays.copyOf(shape, shape.length + 1);
        s[shape.length] = last;
        return s;
    }

    private Dense(Params params, String name, int in, int out, int maxRows, boolean positions, long[] outShape, long[] inShape) {
        this.weight = name + ".weight";
        this.in = in;
        this.positions = positions;
        this.outShape = outShape;
        this.y = new Tensor(maxRows, this.outShape);
        this.gradIn = new Tensor(maxRows, inShape);
        this.w = params.value(weight);
        this.gw = params.grad(weight);
        this.b = params.value(name + ".bias");
        this.gb = params.grad(name + ".bias");
        this.biasOps = new DynamicCustomOp[maxRows + 1];
        if (!positions && y.rowSize() != out) {
            throw new IllegalArgumentException(name + ": output shape does not hold " + out + " values");
        }
    }

    @Override
    public long[] outShape() {
        return outShape.clone();
    }

    @Override
    public Tensor forward(Tensor input, int n, Pass pass) {
        if (input.rowSize() != gradIn.rowSize()) {
            throw new IllegalArgumentException(weight + ": input rows have " + input.rowSize() + " values, expected "
                    + gradIn.rowSize());
        }
        x = input;
        INDArray ym = rows(y, n);
        NativeOps.gemm(rows(input, n), w, ym, false, true);
        DynamicCustomOp bias = biasOps[n];
        if (bias == null) {
            bias = NativeOps.biasAdd(ym, b);
            biasOps[n] = bias;
        }
        NativeOps.exec(bias);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        INDArray gy = rows(gradOut, n);
        if (grads.params()) {
            NativeOps.gemm(gy, rows(x, n), gw, true, false);
            NativeOps.sumRows(gy, gb);
        }
        if (grads.input()) {
            NativeOps.gemm(gy, w, rows(gradIn, n), false, false);
        }
        return gradIn;
    }

    /** Rows [0, n) as the matrix the product reads: one row per input row, or per position. */
    private INDArray rows(Tensor t, int n) {
        return positions ? t.pixels(n) : t.matrix(n);
    }
}
