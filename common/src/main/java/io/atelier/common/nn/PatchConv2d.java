package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * The same layer as {@link Conv2d} (same weights, same NHWC rows), computed as patch
 * extraction in Java plus one matrix product. Meant for the layers next to the image, with 1
 * to 3 channels on the image side: there the backend's convolution kernels handle a single
 * input or output channel poorly, while the patch matrix is small (k * k * C columns), and a
 * parameter-only backward pass can skip the input gradient altogether.
 *
 * <p>An activation on the output is fused into the bias pass (and its derivative into the
 * bias-gradient pass), so the layer next to the image touches its largest buffer once.
 *
 * <p>Both directions share one mapping between a "big" map (a convolution's input, a transposed
 * convolution's output) of [H, W, C] and a "small" map of [h, w]: patch row (n, sy, sx) holds,
 * in (c, kh, kw) order, big[n, sy * s - p + kh, sx * s - p + kw, c], or 0 outside the map. The
 * order matches the flattened PyTorch weights: [out, C * k * k] for a convolution and
 * [in, C * k * k] for a transposed one.
 */
public final class PatchConv2d implements Layer {
    private final boolean transposed;
    private final int bigH;
    private final int bigW;
    private final int bigC;
    private final int smallH;
    private final int smallW;
    private final int smallC;
    private final int k;
    private final int stride;
    private final int pad;
    private final int patch;
    private final long[] outShape;
    private final Params params;
    private final String biasName;
    private final Activation act;
    /** Weights as a matrix: [outC, patch] for a convolution, [inC, patch] for a transposed one. */
    private final INDArray w;
    private final INDArray gw;
    private final Tensor patches;
    /** Patch-shaped gradients, apart from {@link #patches} so a backward pass leaves the forward's intact. */
    private final Tensor patchGrads;
    private final Tensor y;
    private final Tensor gradIn;
    private final double[] sums;
    private final float[] bias;
    private Tensor x;

    public PatchConv2d(Params params, String name, boolean transposed, int inC, int outC, int k, int stride, int pad,
                       int inH, int inW, int maxRows, Activation act) {
        this.transposed = transposed;
        this.act = act;
        this.k = k;
        this.stride = stride;
        this.pad = pad;
        this.params = params;
        this.biasName = name + ".bias";
        int outH = Conv2d.outSize(transposed, inH, k, stride, pad);
        int outW = Conv2d.outSize(transposed, inW, k, stride, pad);
        if (transposed) {
            bigH = outH;
            bigW = outW;
            bigC = outC;
            smallH = inH;
            smallW = inW;
            smallC = inC;
        } else {
            bigH = inH;
            bigW = inW;
            bigC = inC;
            smallH = outH;
            smallW = outW;
            smallC = outC;
        }
        if (Conv2d.outSize(false, bigH, k, stride, pad) != smallH || Conv2d.outSize(false, bigW, k, stride, pad) != smallW) {
            throw new IllegalArgumentException(name + ": " + inH + "x" + inW + " does not map evenly with k=" + k + " s=" + stride + " p=" + pad);
        }
        this.patch = bigC * k * k;
        this.outShape = new long[]{outH, outW, outC};
        this.w = params.value(name + ".weight").reshape('c', smallC, patch);
        this.gw = params.grad(name + ".weight").reshape('c', smallC, patch);
        this.patches = new Tensor((long) maxRows * smallH * smallW, patch);
        this.patchGrads = new Tensor((long) maxRows * smallH * smallW, patch);
        this.y = new Tensor(maxRows, outShape);
        this.gradIn = new Tensor(maxRows, inH, inW, inC);
        this.sums = new double[Math.max(inC, outC)];
        this.bias = new float[Math.max(inC, outC)];
    }

    @Override
    public long[] outShape() {
        return outShape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != gradIn.rowSize()) {
            throw new IllegalArgumentException(biasName + ": input rows have " + in.rowSize() + " values, expected " + gradIn.rowSize());
        }
        x = in;
        int pixels = n * smallH * smallW;
        if (transposed) {
            // patches = x W, then scattered onto the big map.
            NativeOps.gemm(in.pixels(n), w, patches.matrix(pixels), false, false);
            scatter(patches.floats(), y.floats(), n);
            addBiasAndActivate(y.floats(), n * bigH * bigW, bigC);
        } else {
            gather(in.floats(), patches.floats(), n);
            NativeOps.gemm(patches.matrix(pixels), w, y.pixels(n), false, true);
            addBiasAndActivate(y.floats(), pixels, smallC);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        int pixels = n * smallH * smallW;
        FloatBuffer pg = params.hostGrads();
        int b0 = params.offset(biasName);
        // From here on gradOut holds the gradient of the pre-activation output.
        if (transposed) {
            activationBackward(gradOut.floats(), n * bigH * bigW, bigC, grads.params() ? pg : null, b0);
            gather(gradOut.floats(), patchGrads.floats(), n);
            INDArray dPatches = patchGrads.matrix(pixels);
            if (grads.params()) {
                NativeOps.gemm(x.pixels(n), dPatches, gw, true, false);
            }
            if (grads.input()) {
                NativeOps.gemm(dPatches, w, gradIn.pixels(n), false, true);
            }
        } else {
            activationBackward(gradOut.floats(), pixels, smallC, grads.params() ? pg : null, b0);
            INDArray gy = gradOut.pixels(n);
            if (grads.params()) {
                // The patches of the forward pass are still in place.
                NativeOps.gemm(gy, patches.matrix(pixels), gw, true, false);
            }
            if (grads.input()) {
                NativeOps.gemm(gy, w, patchGrads.matrix(pixels), false, false);
                scatter(patchGrads.floats(), gradIn.floats(), n);
            }
        }
        return gradIn;
    }

    /** patches[(n, sy, sx), (c, kh, kw)] = big[n, sy*s - p + kh, sx*s - p + kw, c] or 0. */
    private void gather(FloatBuffer big, FloatBuffer out, int n) {
        int kk = k * k;
        int row = 0;
        for (int b = 0; b < n; b++) {
            int bigBase = b * bigH * bigW * bigC;
            for (int sy = 0; sy < smallH; sy++) {
                for (int sx = 0; sx < smallW; sx++, row++) {
                    int o = row * patch;
                    for (int kh = 0; kh < k; kh++) {
                        int iy = sy * stride - pad + kh;
                        for (int kw = 0; kw < k; kw++) {
                            int ix = sx * stride - pad + kw;
                            boolean inside = iy >= 0 && iy < bigH && ix >= 0 && ix < bigW;
                            int src = bigBase + (iy * bigW + ix) * bigC;
                            int dst = o + kh * k + kw;
                            for (int c = 0; c < bigC; c++) {
                                out.put(dst + c * kk, inside ? big.get(src + c) : 0f);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #gather}: big = 0, then big[...] += patches[...]. */
    private void scatter(FloatBuffer in, FloatBuffer big, int n) {
        int kk = k * k;
        int size = n * bigH * bigW * bigC;
        for (int i = 0; i < size; i++) {
            big.put(i, 0f);
        }
        int row = 0;
        for (int b = 0; b < n; b++) {
            int bigBase = b * bigH * bigW * bigC;
            for (int sy = 0; sy < smallH; sy++) {
                for (int sx = 0; sx < smallW; sx++, row++) {
                    int o = row * patch;
                    for (int kh = 0; kh < k; kh++) {
                        int iy = sy * stride - pad + kh;
                        if (iy < 0 || iy >= bigH) {
                            continue;
                        }
                        for (int kw = 0; kw < k; kw++) {
                            int ix = sx * stride - pad + kw;
                            if (ix < 0 || ix >= bigW) {
                                continue;
                            }
                            int dst = bigBase + (iy * bigW + ix) * bigC;
                            int src = o + kh * k + kw;
                            for (int c = 0; c < bigC; c++) {
                                big.put(dst + c, big.get(dst + c) + in.get(src + c * kk));
                            }
                        }
                    }
                }
            }
        }
    }

    private void addBiasAndActivate(FloatBuffer out, int rows, int channels) {
        FloatBuffer p = params.hostValues();
        int b0 = params.offset(biasName);
        for (int c = 0; c < channels; c++) {
            bias[c] = p.get(b0 + c);
        }
        float[] b = bias;
        if (act == Activation.LEAKY_RELU) {
            for (int r = 0; r < rows; r++) {
                int base = r * channels;
                for (int c = 0; c < channels; c++) {
                    float v = out.get(base + c) + b[c];
                    out.put(base + c, Math.max(v, Activation.LEAKY_SLOPE * v));
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                int base = r * channels;
                for (int c = 0; c < channels; c++) {
                    out.put(base + c, act.apply(out.get(base + c) + b[c]));
                }
            }
        }
    }

    /**
     * g *= act'(y) in place over the output gradient; with {@code biasGrad} also writes the
     * per-channel sums (the bias gradient) at {@code offset}.
     */
    private void activationBackward(FloatBuffer g, int rows, int channels, FloatBuffer biasGrad, int offset) {
        FloatBuffer yf = y.floats();
        double[] s = sums;
        java.util.Arrays.fill(s, 0);
        for (int r = 0; r < rows; r++) {
            int base = r * channels;
            for (int c = 0; c < channels; c++) {
                float d = g.get(base + c) * act.derivative(yf.get(base + c));
                g.put(base + c, d);
                s[c] += d;
            }
        }
        if (biasGrad != null) {
            for (int c = 0; c < channels; c++) {
                biasGrad.put(offset + c, (float) s[c]);
            }
        }
    }
}
