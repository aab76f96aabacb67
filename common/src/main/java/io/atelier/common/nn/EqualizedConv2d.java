package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A square-kernel convolution on NHWC rows with equalised learning rate: the stored weight
 * [out, in, k, k] starts N(0, 1) and runs as W / sqrt(in * k * k) (the bias as stored), optionally
 * followed by leaky ReLU times sqrt(2). The scaled copy lives in a private {@link Params} that a
 * plain {@link Conv2d} reads, so the backend's kernels do the convolution and its backward pass;
 * the gradients are scaled back onto the stored tensors.
 */
public final class EqualizedConv2d implements Layer {
    private static final String INNER = "conv";

    private final boolean leaky;
    private final boolean hasBias;
    private final float gain;
    private final Conv2d conv;
    private final INDArray w;
    private final INDArray gw;
    private final INDArray b;
    private final INDArray gb;
    private final INDArray innerW;
    private final INDArray innerGw;
    private final INDArray innerB;
    private final INDArray innerGb;
    private final Tensor gPre;
    private final Tensor mask;
    private final int stride;
    private Tensor y;
    private boolean frozen;

    /** Registers W [out, in, k, k] ~ N(0, 1) and, with {@code bias}, a zero bias under {@code name}. */
    public static void register(ParamLayout.Builder layout, String name, int inC, int outC, int k, boolean bias) {
        layout.add(name + ".weight", ParamLayout.Init.NORMAL, 1.0, outC, inC, k, k);
        if (bias) {
            layout.add(name + ".bias", ParamLayout.Init.ZERO, 0, outC);
        }
    }

    public EqualizedConv2d(Params params, String name, int inC, int outC, int k, int stride, int pad, boolean bias,
                           boolean leaky, int inH, int inW, int maxRows) {
        this.leaky = leaky;
        this.hasBias = bias;
        this.gain = (float) (1.0 / Math.sqrt((double) inC * k * k));
        ParamLayout.Builder inner = ParamLayout.builder();
        Conv2d.register(inner, INNER, false, inC, outC, k, 1.0);
        Params scaled = new Params(inner.build());
        this.conv = new Conv2d(scaled, INNER, false, inC, outC, k, stride, pad, inH, inW, maxRows);
        this.w = params.value(name + ".weight");
        this.gw = params.grad(name + ".weight");
        this.b = bias ? params.value(name + ".bias") : null;
        this.gb = bias ? params.grad(name + ".bias") : null;
        this.innerW = scaled.value(INNER + ".weight");
        this.innerGw = scaled.grad(INNER + ".weight");
        this.innerB = scaled.value(INNER + ".bias");
        this.innerGb = scaled.grad(INNER + ".bias");
        innerB.assign(0);
        this.gPre = new Tensor(maxRows, conv.outShape());
        this.mask = new Tensor(maxRows, conv.outShape());
        this.stride = stride;
    }

    /** Holds the rectifier's slopes of the last forward pass, as {@link EqualizedDense#freezeActivation}. */
    public void freezeActivation(boolean frozen) {
        this.frozen = frozen;
    }

    @Override
    public long[] outShape() {
        return conv.outShape();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        w.mul(gain, innerW);
        if (hasBias) {
            innerB.assign(b);
        }
        y = conv.forward(in, n, pass);
        if (leaky) {
            EqualizedDense.leakyForward(y.matrix(n), mask.matrix(n), frozen);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        Tensor g = gradOut;
        if (leaky) {
            INDArray gm = gPre.matrix(n);
            gm.assign(gradOut.matrix(n)).muli(mask.matrix(n)).muli(EqualizedDense.ACT_GAIN);
            g = gPre;
        }
        // The input-only kernel (a transposed convolution) cannot give back an even side after
        // stride 2; the full backward pass can, and its weight gradient stays in the private copy.
        Tensor gx = conv.backward(g, n, stride > 1 && grads == Grads.INPUT ? Grads.ALL : grads);
        if (grads.params()) {
            innerGw.mul(gain, gw);
            if (hasBias) {
                gb.assign(innerGb);
            }
        }
        return gx;
    }
}
