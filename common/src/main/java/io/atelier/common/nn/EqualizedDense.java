package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense layer with equalised learning rate (Karras et al., as NVlabs' StyleGAN2 defines it): the
 * stored weight W [out, in] starts N(0, 1 / lrMul) and is used as W * lrMul / sqrt(in), the
 * stored bias as b * lrMul, so Adam's step is the same size for every layer (and lrMul times smaller
 * for the mapping network's layers). Optionally followed by leaky ReLU (slope 0.2) times sqrt(2),
 * the gain that keeps the activations' second moment, computed as x times its slope so that the
 * slopes can be held fixed ({@link #freezeActivation}).
 */
public final class EqualizedDense implements Layer {
    static final float ACT_GAIN = (float) Math.sqrt(2.0);

    private final String name;
    private final int in;
    private final boolean leaky;
    private final float weightGain;
    private final float biasGain;
    private final long[] outShape;
    private final Tensor y;
    private final Tensor gradIn;
    private final Tensor gPre;
    private final Tensor mask;
    private final INDArray w;
    private final INDArray gw;
    private final INDArray b;
    private final INDArray gb;
    private final INDArray wScaled;
    private final INDArray bScaled;
    private final DynamicCustomOp[] biasOps;
    private Tensor x;
    private boolean frozen;

    /**
     * Registers W [out, in] ~ N(0, 1 / lrMul) and the bias under {@code name}; the bias starts at
     * {@code biasInit}, 0 or 1 (1, as the style affines use, only with lrMul 1).
     */
    public static void register(ParamLayout.Builder layout, String name, int in, int out, double lrMul, int biasInit) {
        if (biasInit != 0 && (biasInit != 1 || lrMul != 1.0)) {
            throw new IllegalArgumentException(name + ": bias starts at 0, or at 1 with lr multiplier 1; got " + biasInit + " and " + lrMul);
        }
        layout.add(name + ".weight", ParamLayout.Init.NORMAL, 1.0 / lrMul, out, in);
        layout.add(name + ".bias", biasInit == 1 ? ParamLayout.Init.ONE : ParamLayout.Init.ZERO, 0, out);
    }

    public EqualizedDense(Params params, String name, int in, int out, double lrMul, boolean leaky, int maxRows, long... outShape) {
        this.name = name;
        this.in = in;
        this.leaky = leaky;
        this.weightGain = (float) (lrMul / Math.sqrt(in));
        this.biasGain = (float) lrMul;
        this.outShape = outShape.length == 0 ? new long[]{out} : outShape.clone();
        this.y = new Tensor(maxRows, this.outShape);
        this.gradIn = new Tensor(maxRows, in);
        this.gPre = new Tensor(maxRows, out);
        this.mask = new Tensor(maxRows, out);
        this.w = params.value(name + ".weight");
        this.gw = params.grad(name + ".weight");
        this.b = params.value(name + ".bias");
        this.gb = params.grad(name + ".bias");
        this.wScaled = w.ulike();
        this.bScaled = b.ulike();
        this.biasOps = new DynamicCustomOp[maxRows + 1];
        if (y.rowSize() != out) {
            throw new IllegalArgumentException(name + ": output shape does not hold " + out + " values");
        }
    }

    /**
     * With {@code frozen}, the rectifier keeps the slopes (1 or 0.2 per value) of the last forward
     * pass instead of following the sign of the new input: the layer is then the linear branch it
     * was on, as double backpropagation differentiates it (see the R1 penalty's central difference).
     */
    public void freezeActivation(boolean frozen) {
        this.frozen = frozen;
    }

    /**
     * y = x * slope * sqrt(2) in place, slope = 1 where x > 0 else 0.2 (recomputed into {@code slopes}
     * unless {@code frozen}); exactly leaky ReLU times the gain.
     */
    static void leakyForward(INDArray y, INDArray slopes, boolean frozen) {
        if (!frozen) {
            leakySlopes(y, slopes);
        }
        y.muli(slopes).muli(ACT_GAIN);
    }

    /** slopes = 1 where y > 0 else 0.2: the rectifier's slope at each value (before or after it, same sign). */
    static void leakySlopes(INDArray y, INDArray slopes) {
        Nd4j.exec(new Step(y, slopes));
        slopes.muli(1f - Activation.LEAKY_SLOPE).addi(Activation.LEAKY_SLOPE);
    }

    @Override
    public long[] outShape() {
        return outShape.clone();
    }

    @Override
    public Tensor forward(Tensor input, int n, Pass pass) {
        if (input.rowSize() != in) {
            throw new IllegalArgumentException(name + ": input rows have " + input.rowSize() + " values, expected " + in);
        }
        x = input;
        w.mul(weightGain, wScaled);
        b.mul(biasGain, bScaled);
        INDArray ym = y.matrix(n);
        NativeOps.gemm(input.matrix(n), wScaled, ym, false, true);
        DynamicCustomOp bias = biasOps[n];
        if (bias == null) {
            bias = NativeOps.biasAdd(ym, bScaled);
            biasOps[n] = bias;
        }
        NativeOps.exec(bias);
        if (leaky) {
            leakyForward(ym, mask.matrix(n), frozen);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        INDArray g = gPre.matrix(n);
        g.assign(gradOut.matrix(n));
        if (leaky) {
            g.muli(mask.matrix(n)).muli(ACT_GAIN);
        }
        if (grads.params()) {
            NativeOps.gemm(g, x.matrix(n), gw, true, false);
            gw.muli(weightGain);
            NativeOps.sumRows(g, gb);
            gb.muli(biasGain);
        }
        if (grads.input()) {
            NativeOps.gemm(g, wScaled, gradIn.matrix(n), false, false);
        }
        return gradIn;
    }
}
