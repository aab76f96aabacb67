package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * The same layer as {@link Conv2d} (same weights, same NHWC rows), computed as patch
 * extraction ({@code im2col}/{@code col2im}) plus one matrix product. Meant for the layers next
 * to the image, with 1 to 3 channels on the image side: there the backend's convolution kernels
 * handle a single input or output channel poorly, while the patch matrix is small (k * k * C
 * columns), and a parameter-only backward pass can skip the input gradient altogether.
 *
 * <p>Both directions share one mapping between a "big" map (a convolution's input, a transposed
 * convolution's output) of [H, W, C] and a "small" map of [h, w]: patch row (n, sy, sx) holds,
 * in (c, kh, kw) order, big[n, sy * s - p + kh, sx * s - p + kw, c], or 0 outside the map. The
 * order matches the flattened PyTorch weights: [out, C * k * k] for a convolution and
 * [in, C * k * k] for a transposed one. The patch ops read and write the NHWC buffers through
 * NCHW-ordered views. {@code col2im} reads the patch matrix through a [N, C, k, k, h, w] view
 * of its rows; {@code im2col} writes such a view about five times slower than a dense
 * [N, C * k * k, h * w] buffer, so it writes a dense one that is then transposed per image into
 * the patch matrix (one copy, a fraction of the time saved).
 *
 * <p>An activation on the output runs in place after the bias op; backward applies its
 * derivative (from the output) to the incoming gradient in place, then sums the bias gradient.
 */
public final class PatchConv2d implements Layer {
    private final boolean transposed;
    private final int bigH;
    private final int bigW;
    private final int bigC;
    private final int smallH;
    private final int smallW;
    private final int k;
    private final int stride;
    private final int pad;
    private final int pixels;
    private final long[] outShape;
    private final long[] bigShape;
    private final String name;
    private final Activation act;
    /** Weights as a matrix: [outC, patch] for a convolution, [inC, patch] for a transposed one. */
    private final INDArray w;
    private final INDArray gw;
    private final INDArray b;
    private final INDArray gb;
    private final Tensor patches;
    /** Patch-shaped gradients, apart from {@link #patches} so a backward pass leaves the forward's intact. */
    private final Tensor patchGrads;
    /** The dense output of {@code im2col}: [N, C * k * k, h * w] per batch. */
    private final Tensor columns;
    /** Per batch size: {@link #columns} as [N, h * w, C * k * k], and the patch matrix it is copied into, as [N, h * w, C * k * k]. */
    private final INDArray[] gatheredColumns;
    private final INDArray[] gatherTargets;
    private final Tensor y;
    /** For the rectifiers' branch-free ops; null for other activations. */
    private final Tensor actScratch;
    private final Tensor gradIn;
    /** Per batch size: the patch op of the forward pass and the bias op. */
    private final DynamicCustomOp[] forwardPatchOps;
    private final DynamicCustomOp[] biasOps;
    /** Per batch size, bound to {@link #gy}: the patch op of the backward pass, the gradient as [pixels, channels]. */
    private final DynamicCustomOp[] backwardPatchOps;
    private final INDArray[] gradPixels;
    private Tensor x;
    private Tensor gy;

    public PatchConv2d(Params params, String name, boolean transposed, int inC, int outC, int k, int stride, int pad,
                       int inH, int inW, int maxRows, Activation act) {
        this.transposed = transposed;
        this.name = name;
        this.act = act;
        this.k = k;
        this.stride = stride;
        this.pad = pad;
        int outH = Conv2d.outSize(transposed, inH, k, stride, pad);
        int outW = Conv2d.outSize(transposed, inW, k, stride, pad);
        int smallC;
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
        int patch = bigC * k * k;
        this.pixels = smallH * smallW;
        this.outShape = new long[]{outH, outW, outC};
        this.bigShape = new long[]{bigH, bigW, bigC};
        this.w = params.value(name + ".weight").reshape('c', smallC, patch);
        this.gw = params.grad(name + ".weight").reshape('c', smallC, patch);
        this.b = params.value(name + ".bias");
        this.gb = params.grad(name + ".bias");
        this.patches = new Tensor((long) maxRows * pixels, patch);
        this.patchGrads = new Tensor((long) maxRows * pixels, patch);
        this.columns = new Tensor(maxRows, patch, pixels);
        this.gatheredColumns = new INDArray[maxRows + 1];
        this.gatherTargets = new INDArray[maxRows + 1];
        this.y = new Tensor(maxRows, outShape);
        this.actScratch = act.needsScratch() ? new Tensor(maxRows, outShape) : null;
        this.gradIn = new Tensor(maxRows, inH, inW, inC);
        this.forwardPatchOps = new DynamicCustomOp[maxRows + 1];
        this.biasOps = new DynamicCustomOp[maxRows + 1];
        this.backwardPatchOps = new DynamicCustomOp[maxRows + 1];
        this.gradPixels = new INDArray[maxRows + 1];
    }

    @Override
    public long[] outShape() {
        return outShape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (x != in) {
            if (in.rowSize() != gradIn.rowSize()) {
                throw new IllegalArgumentException(name + ": input rows have " + in.rowSize() + " values, expected " + gradIn.rowSize());
            }
            x = in;
            java.util.Arrays.fill(forwardPatchOps, null);
        }
        DynamicCustomOp patchOp = forwardPatchOps[n];
        if (patchOp == null) {
            patchOp = transposed
                    ? NativeOps.col2im(patchView(patches, n), channelsFirst(y, n), stride, pad)
                    : NativeOps.im2col(channelsFirst(x, n), denseColumns(n), k, stride, pad);
            forwardPatchOps[n] = patchOp;
        }
        INDArray out = y.pixels(n);
        if (transposed) {
            // patches = x W, then added onto the big map.
            NativeOps.gemm(x.pixels(n), w, patchMatrix(patches, n), false, false);
            NativeOps.exec(patchOp);
        } else {
            NativeOps.exec(patchOp);
            gather(patches, n);
            NativeOps.gemm(patchMatrix(patches, n), w, out, false, true);
        }
        DynamicCustomOp biasOp = biasOps[n];
        if (biasOp == null) {
            biasOp = NativeOps.biasAdd(out, b);
            biasOps[n] = biasOp;
        }
        NativeOps.exec(biasOp);
        act.forward(out, actScratch == null ? null : actScratch.pixels(n));
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        if (gy != gradOut) {
            if (gradOut.rowSize() != y.rowSize()) {
                throw new IllegalArgumentException(name + ": gradient rows have " + gradOut.rowSize() + " values, output rows " + y.rowSize());
            }
            gy = gradOut;
            java.util.Arrays.fill(backwardPatchOps, null);
            java.util.Arrays.fill(gradPixels, null);
        }
        INDArray g = gradPixels[n];
        if (g == null) {
            g = gradOut.matrix(n).reshape('c', y.pixels(n).shape());
            gradPixels[n] = g;
        }
        // From here on gradOut holds the gradient of the pre-activation output.
        act.backward(y.pixels(n), g, actScratch == null ? null : actScratch.pixels(n));
        if (grads.params()) {
            NativeOps.sumRows(g, gb);
        }
        DynamicCustomOp patchOp = backwardPatchOps[n];
        if (patchOp == null) {
            patchOp = transposed
                    ? NativeOps.im2col(channelsFirst(gradOut, n), denseColumns(n), k, stride, pad)
                    : NativeOps.col2im(patchView(patchGrads, n), channelsFirst(gradIn, n), stride, pad);
            backwardPatchOps[n] = patchOp;
        }
        INDArray dPatches = patchMatrix(patchGrads, n);
        if (transposed) {
            NativeOps.exec(patchOp);
            gather(patchGrads, n);
            if (grads.params()) {
                NativeOps.gemm(x.pixels(n), dPatches, gw, true, false);
            }
            if (grads.input()) {
                NativeOps.gemm(dPatches, w, gradIn.pixels(n), false, true);
            }
        } else {
            if (grads.params()) {
                // The patches of the forward pass are still in place.
                NativeOps.gemm(g, patchMatrix(patches, n), gw, true, false);
            }
            if (grads.input()) {
                NativeOps.gemm(g, w, dPatches, false, false);
                NativeOps.exec(patchOp);
            }
        }
        return gradIn;
    }

    /** Rows [0, n) of an NHWC buffer of the big map, viewed as [N, C, H, W]. */
    private INDArray channelsFirst(Tensor t, int n) {
        return t.rows(n, bigShape).permute(0, 3, 1, 2);
    }

    /** {@link #columns} as {@code im2col} writes them, [N, C, k, k, h, w]. */
    private INDArray denseColumns(int n) {
        return columns.rows(n).reshape('c', n, bigC, k, k, smallH, smallW);
    }

    /** Copies the patches that {@code im2col} just wrote into the rows of {@code dst}'s patch matrix. */
    private void gather(Tensor dst, int n) {
        INDArray target = gatherTargets[n];
        if (target == null) {
            // One layer gathers into one buffer: the forward patches (convolution) or the patch gradients (transposed).
            target = patchMatrix(dst, n).reshape('c', n, pixels, (long) bigC * k * k);
            gatherTargets[n] = target;
            gatheredColumns[n] = columns.rows(n).permute(0, 2, 1);
        }
        target.assign(gatheredColumns[n]);
    }

    /** Patch rows [(n, sy, sx), (c, kh, kw)] viewed as the patch ops' [N, C, k, k, h, w]. */
    private INDArray patchView(Tensor t, int n) {
        return patchMatrix(t, n).reshape('c', n, smallH, smallW, bigC, k, k).permute(0, 3, 4, 5, 1, 2);
    }

    private INDArray patchMatrix(Tensor t, int n) {
        return t.matrix(n * pixels);
    }
}
