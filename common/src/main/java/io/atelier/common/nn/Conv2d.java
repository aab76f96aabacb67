package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * Square-kernel 2-D convolution (or, with {@code transposed}, its adjoint: the transposed
 * convolution that upsamples) on NHWC rows, with bias, run by the backend's kernels. Weights
 * use PyTorch's layouts: [out, in, k, k] for a convolution, [in, out, k, k] for a transposed
 * one. An input-only backward pass runs the adjoint kernel alone instead of the full backward
 * op, skipping the weight gradient.
 */
public final class Conv2d implements Layer {
    private final boolean transposed;
    private final int inC;
    private final int outC;
    private final int k;
    private final int stride;
    private final int pad;
    private final long[] inShape;
    private final long[] outShape;
    private final INDArray w;
    private final INDArray b;
    private final INDArray gw;
    private final INDArray gb;
    private final Tensor y;
    private final Tensor gradIn;
    private final DynamicCustomOp[] forwardOps;
    private final DynamicCustomOp[] backwardOps;
    private final DynamicCustomOp[] inputGradOps;
    /** Transposed only: the bias pass over the output, per batch size. */
    private final DynamicCustomOp[] biasOps;
    private Tensor x;
    private Tensor gy;

    /** Registers the weight ~ N(0, std) and a zero bias under {@code name}. */
    public static void register(ParamLayout.Builder layout, String name, boolean transposed, int inC, int outC, int k, double std) {
        if (transposed) {
            layout.add(name + ".weight", ParamLayout.Init.NORMAL, std, inC, outC, k, k);
        } else {
            layout.add(name + ".weight", ParamLayout.Init.NORMAL, std, outC, inC, k, k);
        }
        layout.add(name + ".bias", ParamLayout.Init.ZERO, 0, outC);
    }

    /** Output side length for an input side {@code in}. */
    public static int outSize(boolean transposed, int in, int k, int stride, int pad) {
        return transposed ? (in - 1) * stride - 2 * pad + k : (in + 2 * pad - k) / stride + 1;
    }

    public Conv2d(Params params, String name, boolean transposed, int inC, int outC, int k, int stride, int pad,
                  int inH, int inW, int maxRows) {
        this.transposed = transposed;
        this.inC = inC;
        this.outC = outC;
        this.k = k;
        this.stride = stride;
        this.pad = pad;
        int outH = outSize(transposed, inH, k, stride, pad);
        int outW = outSize(transposed, inW, k, stride, pad);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(name + ": a " + inH + "x" + inW + " input gives no output with k=" + k + " s=" + stride + " p=" + pad);
        }
        this.inShape = new long[]{inH, inW, inC};
        this.outShape = new long[]{outH, outW, outC};
        this.w = params.value(name + ".weight");
        this.b = params.value(name + ".bias");
        this.gw = params.grad(name + ".weight");
        this.gb = params.grad(name + ".bias");
        this.y = new Tensor(maxRows, outShape);
        this.gradIn = new Tensor(maxRows, inShape);
        this.forwardOps = new DynamicCustomOp[maxRows + 1];
        this.backwardOps = new DynamicCustomOp[maxRows + 1];
        this.inputGradOps = new DynamicCustomOp[maxRows + 1];
        this.biasOps = new DynamicCustomOp[maxRows + 1];
    }

    @Override
    public long[] outShape() {
        return outShape.clone();
    }

    public int outChannels() {
        return outC;
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (x != in) {
            bindInput(in);
        }
        DynamicCustomOp op = forwardOps[n];
        if (op == null) {
            // oneDNN's transposed convolution adds a bias through a slow reference path (about
            // 45% on top of the convolution); a separate bias op over the output costs a few percent.
            op = transposed
                    ? NativeOps.op("deconv2d", new INDArray[]{input(n), w}, new INDArray[]{y.rows(n)}, k, stride, pad)
                    : NativeOps.op("conv2d", new INDArray[]{input(n), w, b}, new INDArray[]{y.rows(n)}, k, stride, pad);
            forwardOps[n] = op;
        }
        NativeOps.exec(op);
        if (transposed) {
            DynamicCustomOp bias = biasOps[n];
            if (bias == null) {
                bias = NativeOps.biasAdd(y.pixels(n), b);
                biasOps[n] = bias;
            }
            NativeOps.exec(bias);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        if (gy != gradOut) {
            if (gradOut.rowSize() != y.rowSize()) {
                throw new IllegalArgumentException("gradient rows have " + gradOut.rowSize() + " values, output rows " + y.rowSize());
            }
            gy = gradOut;
            java.util.Arrays.fill(backwardOps, null);
            java.util.Arrays.fill(inputGradOps, null);
        }
        if (grads.params()) {
            DynamicCustomOp op = backwardOps[n];
            if (op == null) {
                op = NativeOps.op(transposed ? "deconv2d_bp" : "conv2d_bp",
                        new INDArray[]{input(n), w, b, gradOut.rows(n, outShape)}, new INDArray[]{gradIn.rows(n), gw, gb},
                        k, stride, pad);
                backwardOps[n] = op;
            }
            NativeOps.exec(op);
        } else {
            // The input gradient of a convolution is the transposed convolution of the output
            // gradient with the same weights (and vice versa); the layouts line up unchanged.
            DynamicCustomOp op = inputGradOps[n];
            if (op == null) {
                op = NativeOps.op(transposed ? "conv2d" : "deconv2d",
                        new INDArray[]{gradOut.rows(n, outShape), w}, new INDArray[]{gradIn.rows(n)}, k, stride, pad);
                inputGradOps[n] = op;
            }
            NativeOps.exec(op);
        }
        return gradIn;
    }

    private void bindInput(Tensor in) {
        if (in.rowSize() != inShape[0] * inShape[1] * inC) {
            throw new IllegalArgumentException("input rows have " + in.rowSize() + " values, expected "
                    + java.util.Arrays.toString(inShape));
        }
        x = in;
        java.util.Arrays.fill(forwardOps, null);
        java.util.Arrays.fill(backwardOps, null);
        java.util.Arrays.fill(inputGradOps, null);
    }

    private INDArray input(int n) {
        return java.util.Arrays.equals(x.rowShape(), inShape) ? x.rows(n) : x.rows(n, inShape);
    }
}
