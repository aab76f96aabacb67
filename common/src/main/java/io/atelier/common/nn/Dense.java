package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/** y = x W^T + b with W [out, in] (PyTorch's layout); rows of the input are flattened. */
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
    private Tensor x;

    /** Registers W [out, in] ~ N(0, std) and b [out] = 0 under {@code name}. */
    public static void register(ParamLayout.Builder layout, String name, int in, int out, double std) {
        layout.add(name + ".weight", ParamLayout.Init.NORMAL, std, out, in);
        layout.add(name + ".bias", ParamLayout.Init.ZERO, 0, out);
    }

    public Dense(Params params, String name, int in, int out, int maxRows, long... outShape) {
        this.weight = name + ".weight";
        this.in = in;
        this.outShape = outShape.length == 0 ? new long[]{out} : outShape.clone();
        this.y = new Tensor(maxRows, this.outShape);
        this.gradIn = new Tensor(maxRows, in);
        this.w = params.value(weight);
        this.gw = params.grad(weight);
        this.b = params.value(name + ".bias");
        this.gb = params.grad(name + ".bias");
        this.biasOps = new DynamicCustomOp[maxRows + 1];
        if (y.rowSize() != out) {
            throw new IllegalArgumentException(name + ": output shape does not hold " + out + " values");
        }
    }

    @Override
    public long[] outShape() {
        return outShape.clone();
    }

    @Override
    public Tensor forward(Tensor input, int n, Pass pass) {
        if (input.rowSize() != in) {
            throw new IllegalArgumentException(weight + ": input rows have " + input.rowSize() + " values, expected " + in);
        }
        x = input;
        INDArray ym = y.matrix(n);
        NativeOps.gemm(input.matrix(n), w, ym, false, true);
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
        INDArray gy = gradOut.matrix(n);
        if (grads.params()) {
            NativeOps.gemm(gy, x.matrix(n), gw, true, false);
            NativeOps.sumRows(gy, gb);
        }
        if (grads.input()) {
            NativeOps.gemm(gy, w, gradIn.matrix(n), false, false);
        }
        return gradIn;
    }
}
