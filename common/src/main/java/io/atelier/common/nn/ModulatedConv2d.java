package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * StyleGAN2's modulated convolution on NHWC rows, stride 1 and "same" padding, as NVlabs'
 * non-fused path computes it: styles s = A(w) (an equalised dense layer, bias starting at 1);
 * x * s per input channel; one convolution with the shared weight W [out, in, k, k]; with
 * demodulation, times d[n, o] = 1 / sqrt(sum_{i,k} (W[o, i, k] s[n, i])^2 + 1e-8) per sample and
 * output channel, so every sample's effective weight has unit norm per output channel. Then,
 * optionally, per-pixel noise times a learned strength (one scalar), the bias, and leaky ReLU
 * times sqrt(2). Without demodulation (toRGB) the styles are scaled by 1 / sqrt(in * k * k) instead.
 *
 * <p>The backward pass gives the gradients of the input x, of W (through the convolution and the
 * demodulation coefficients), of the bias and noise strength, of the affine layer, and of the
 * layer's w input ({@link #gradW()}) and of the noise map ({@link #gradNoise()}, for GAN
 * inversion, which optimises the noise). The rectifier's slopes can be held at those of the last
 * forward pass ({@link #freezeActivation}), as {@link EqualizedDense#freezeActivation} does.
 */
public final class ModulatedConv2d {
    private static final double DEMOD_EPS = 1e-8;

    private final String name;
    private final int inC;
    private final int outC;
    private final int k;
    private final int pixels;
    private final boolean demodulate;
    private final boolean noise;
    private final boolean leaky;
    private final float styleGain;
    private final EqualizedDense affine;
    private final INDArray weight;
    private final INDArray gWeight;
    private final INDArray bias;
    private final INDArray gBias;
    private final INDArray strength;
    private final INDArray gStrength;
    private final INDArray wSquared;
    private final INDArray w2;
    private final INDArray gW2;
    private final Tensor styles;
    private final Tensor xs;
    private final Tensor conv;
    private final Tensor dcoefs;
    private final Tensor y;
    private final Tensor scratch;
    private final Tensor gPre;
    private final Tensor gConv;
    private final Tensor gXs;
    private final Tensor gradIn;
    private final Tensor gStyles;
    private final Tensor gDcoefs;
    private final Tensor styleScratch;
    private final Tensor noiseScaled;
    private final Tensor gNoise;
    private final DynamicCustomOp[] forwardOps;
    private final DynamicCustomOp[] backwardOps;
    private Tensor x;
    private Tensor noiseIn;
    private Tensor gradW;
    /** Rectifier slopes of the last unfrozen forward pass, taken when frozen (null without the activation). */
    private final Tensor slopes;
    private boolean frozen;
    private int lastRows;

    /** Registers the affine layer, W ~ N(0, 1), a zero bias and (with noise) a zero noise strength. */
    public static void register(ParamLayout.Builder layout, String name, int wDim, int inC, int outC, int k, boolean noise) {
        EqualizedDense.register(layout, name + ".affine", wDim, inC, 1.0, 1);
        layout.add(name + ".weight", ParamLayout.Init.NORMAL, 1.0, outC, inC, k, k);
        layout.add(name + ".bias", ParamLayout.Init.ZERO, 0, outC);
        if (noise) {
            layout.add(name + ".noise_strength", ParamLayout.Init.ZERO, 0, 1);
        }
    }

    public ModulatedConv2d(Params params, String name, int wDim, int inC, int outC, int k, boolean demodulate, boolean noise,
                           boolean leaky, int h, int w, int maxRows) {
        if (k % 2 != 1) {
            throw new IllegalArgumentException(name + ": the kernel must be odd for same padding, got " + k);
        }
        this.name = name;
        this.inC = inC;
        this.outC = outC;
        this.k = k;
        this.pixels = h * w;
        this.demodulate = demodulate;
        this.noise = noise;
        this.leaky = leaky;
        this.styleGain = demodulate ? 1f : (float) (1.0 / Math.sqrt((double) inC * k * k));
        this.affine = new EqualizedDense(params, name + ".affine", wDim, inC, 1.0, false, maxRows);
        this.weight = params.value(name + ".weight");
        this.gWeight = params.grad(name + ".weight");
        this.bias = params.value(name + ".bias");
        this.gBias = params.grad(name + ".bias");
        this.strength = noise ? params.value(name + ".noise_strength") : null;
        this.gStrength = noise ? params.grad(name + ".noise_strength") : null;
        this.wSquared = weight.ulike();
        this.w2 = Nd4j.create(weight.dataType(), outC, inC);
        this.gW2 = w2.ulike();
        this.styles = new Tensor(maxRows, inC);
        this.xs = new Tensor(maxRows, h, w, inC);
        this.conv = new Tensor(maxRows, h, w, outC);
        this.dcoefs = new Tensor(maxRows, outC);
        this.y = new Tensor(maxRows, h, w, outC);
        this.scratch = new Tensor(maxRows, h, w, outC);
        this.gPre = new Tensor(maxRows, h, w, outC);
        this.gConv = new Tensor(maxRows, h, w, outC);
        this.gXs = new Tensor(maxRows, h, w, inC);
        this.gradIn = new Tensor(maxRows, h, w, inC);
        this.gStyles = new Tensor(maxRows, inC);
        this.gDcoefs = new Tensor(maxRows, outC);
        this.styleScratch = new Tensor(maxRows, inC);
        this.noiseScaled = new Tensor(maxRows, h, w, 1);
        this.gNoise = new Tensor(maxRows, h, w, 1);
        this.forwardOps = new DynamicCustomOp[maxRows + 1];
        this.backwardOps = new DynamicCustomOp[maxRows + 1];
        this.slopes = leaky ? new Tensor(maxRows, h, w, outC) : null;
    }

    /**
     * With {@code frozen}, the rectifier keeps the slopes (1 or 0.2 per value) of the last forward
     * pass, in that pass's rows, instead of following the sign of new inputs: the layer is then the
     * branch it was on, as double backpropagation differentiates it (the path-length penalty's central
     * difference). Unfrozen passes compute exactly as before.
     */
    public void freezeActivation(boolean frozen) {
        if (frozen && !this.frozen && leaky) {
            EqualizedDense.leakySlopes(y.matrix(lastRows), slopes.matrix(lastRows));
        }
        this.frozen = frozen;
    }

    public long[] outShape() {
        return y.rowShape();
    }

    /**
     * @param in       [n, H, W, in] activations
     * @param w        [n, wDim] latents of this layer
     * @param noiseMap [n, H, W, 1] per-pixel noise (ignored without noise; null counts as zeros)
     */
    public Tensor forward(Tensor in, Tensor w, Tensor noiseMap, int n) {
        if (in.rowSize() != pixels * inC) {
            throw new IllegalArgumentException(name + ": input rows have " + in.rowSize() + " values, expected " + pixels * inC);
        }
        x = in;
        noiseIn = noiseMap;
        INDArray s = styles.matrix(n);
        affine.forward(w, n, Layer.Pass.TRAIN).matrix(n).mul(styleGain, s);
        Nd4j.exec(new MulOp(x.rows(n, pixels, inC), styles.rows(n, 1, inC), xs.rows(n, pixels, inC)));
        DynamicCustomOp op = forwardOps[n];
        if (op == null) {
            op = NativeOps.op("conv2d", new INDArray[]{xs.rows(n), weight}, new INDArray[]{conv.rows(n)}, k, 1, k / 2);
            forwardOps[n] = op;
        }
        NativeOps.exec(op);
        INDArray out = y.rows(n, pixels, outC);
        if (demodulate) {
            // d = rsqrt((s^2) W2^T + eps) with W2[o, i] = sum over the kernel of W^2.
            weight.mul(weight, wSquared);
            wSquared.sum(w2, 2, 3);
            INDArray s2 = styleScratch.matrix(n);
            s.mul(s, s2);
            INDArray d = dcoefs.matrix(n);
            NativeOps.gemm(s2, w2, d, false, true);
            Transforms.pow(d.addi(DEMOD_EPS), -0.5, false);
            Nd4j.exec(new MulOp(conv.rows(n, pixels, outC), dcoefs.rows(n, 1, outC), out));
        } else {
            out.assign(conv.rows(n, pixels, outC));
        }
        if (noise && noiseMap != null) {
            INDArray ns = noiseScaled.rows(n, pixels, 1);
            Nd4j.exec(new MulOp(noiseMap.rows(n, pixels, 1), strength.reshape(1, 1, 1), ns));
            Nd4j.exec(new AddOp(out, ns, out));
        }
        Nd4j.exec(new AddOp(out, bias.reshape(1, 1, outC), out));
        if (leaky && frozen) {
            EqualizedDense.leakyForward(y.matrix(n), slopes.matrix(n), true);
        } else if (leaky) {
            INDArray ym = y.matrix(n);
            Activation.LEAKY_RELU.forward(ym, scratch.matrix(n));
            ym.muli(EqualizedDense.ACT_GAIN);
        }
        if (!frozen) {
            lastRows = n;
        }
        return y;
    }

    /** Writes every parameter gradient, returns the input's; the w input's is then {@link #gradW()}. */
    public Tensor backward(Tensor gradOut, int n) {
        INDArray gp = gPre.matrix(n);
        gp.assign(gradOut.matrix(n));
        if (leaky && frozen) {
            gp.muli(slopes.matrix(n)).muli(EqualizedDense.ACT_GAIN);
        } else if (leaky) {
            gp.muli(EqualizedDense.ACT_GAIN);
            Activation.LEAKY_RELU.backward(y.matrix(n), gp, scratch.matrix(n));
        }
        INDArray g3 = gPre.rows(n, pixels, outC);
        g3.sum(gBias, 0, 1);
        if (noise) {
            if (noiseIn == null) {
                gStrength.assign(0);
            } else {
                INDArray perPixel = g3.sum(2).reshape(n, pixels, 1);
                Nd4j.exec(new MulOp(perPixel, strength.reshape(1, 1, 1), gNoise.rows(n, pixels, 1)));
                gStrength.assign(perPixel.muli(noiseIn.rows(n, pixels, 1)).sum());
            }
        }
        INDArray gc = gConv.rows(n, pixels, outC);
        if (demodulate) {
            Nd4j.exec(new MulOp(g3, dcoefs.rows(n, 1, outC), gc));
            // dL/dd[n, o] = sum over pixels of g * conv.
            INDArray prod = scratch.rows(n, pixels, outC);
            g3.mul(conv.rows(n, pixels, outC), prod);
            prod.sum(gDcoefs.matrix(n), 1);
        } else {
            gc.assign(g3);
        }
        DynamicCustomOp op = backwardOps[n];
        if (op == null) {
            op = NativeOps.op("conv2d_bp", new INDArray[]{xs.rows(n), weight, gConv.rows(n)},
                    new INDArray[]{gXs.rows(n), gWeight}, k, 1, k / 2);
            backwardOps[n] = op;
        }
        NativeOps.exec(op);
        INDArray gx3 = gXs.rows(n, pixels, inC);
        Nd4j.exec(new MulOp(gx3, styles.rows(n, 1, inC), gradIn.rows(n, pixels, inC)));
        // Styles, directly: sum over pixels of gxs * x.
        INDArray gs = gStyles.matrix(n);
        gx3.mul(x.rows(n, pixels, inC)).sum(gs, 1);
        if (demodulate) {
            // d = (D2 + eps)^-1/2, D2 = (s^2) W2^T: dL/dD2 = dL/dd * -d^3 / 2.
            INDArray d = dcoefs.matrix(n);
            INDArray gD2 = gDcoefs.matrix(n);
            gD2.muli(d).muli(d).muli(d).muli(-0.5f);
            INDArray gs2 = styleScratch.matrix(n);
            NativeOps.gemm(gD2, w2, gs2, false, false);
            gs.addi(gs2.muli(styles.matrix(n)).muli(2f));
            INDArray s2 = styles.matrix(n).mul(styles.matrix(n));
            NativeOps.gemm(gD2, s2, gW2, true, false);
            INDArray extra = wSquared;
            Nd4j.exec(new MulOp(weight, gW2.reshape(outC, inC, 1, 1), extra));
            gWeight.addi(extra.muli(2f));
        }
        if (styleGain != 1f) {
            gs.muli(styleGain);
        }
        gradW = affine.backward(gStyles, n, Layer.Grads.ALL);
        return gradIn;
    }

    /** The gradient of the last backward pass with respect to the noise map, [n, H, W, 1] (with noise given). */
    public Tensor gradNoise() {
        return gNoise;
    }

    /** The gradient of the last backward pass with respect to the w input, [n, wDim]. */
    public Tensor gradW() {
        if (gradW == null) {
            throw new IllegalStateException(name + ": no backward pass yet");
        }
        return gradW;
    }
}
