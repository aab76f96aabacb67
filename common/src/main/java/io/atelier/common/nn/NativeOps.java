package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The few heavy kernels, as reusable op instances bound to fixed buffers: built once per
 * (layer, batch size) and re-executed every step, so a step allocates no native memory.
 * Convolutions use PyTorch's weight layouts (conv [out, in, kh, kw], transposed conv
 * [in, out, kh, kw]) on NHWC activations, the layout oneDNN's fastest CPU kernels read and
 * write directly (NCHW costs a reorder of every activation on every call).
 */
public final class NativeOps {
    private static final int NHWC = 1;
    /** conv2d: [out, in, kh, kw]; deconv2d: [in, out, kh, kw]. */
    private static final int TORCH_WEIGHTS = 1;

    private NativeOps() {
    }

    static DynamicCustomOp op(String name, INDArray[] inputs, INDArray[] outputs, int k, int s, int p) {
        return DynamicCustomOp.builder(name)
                .addInputs(inputs)
                .addOutputs(outputs)
                .addIntegerArguments(k, k, s, s, p, p, 1, 1, 0, NHWC, TORCH_WEIGHTS)
                .build();
    }

    static void exec(DynamicCustomOp op) {
        Nd4j.exec(op);
    }

    /**
     * A batched c[i] = a[i] * b[i] (with optional transposes of each matrix) over rank-3 arrays,
     * overwriting c: one native call for the whole batch instead of a gemm per matrix.
     */
    public static DynamicCustomOp matmul(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
        return DynamicCustomOp.builder("matmul")
                .addInputs(a, b)
                .addOutputs(c)
                .addIntegerArguments(transA ? 1 : 0, transB ? 1 : 0, 0)
                .addFloatingPointArguments(1.0, 0.0)
                .build();
    }

    /** c = a * b (with optional transposes), overwriting c. */
    static void gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
        Nd4j.gemm(a, b, c, transA, transB, 1.0, 0.0);
    }

    /** x += b over the last (channel) axis, in place. */
    static DynamicCustomOp biasAdd(INDArray x, INDArray b) {
        return new BiasAdd(x, b, x, false);
    }

    /** out[j] = sum over rows i of a[i, j], overwriting out: a bias gradient from [rows, channels]. */
    static void sumRows(INDArray a, INDArray out) {
        a.sum(out, 0);
    }

    /**
     * Patch extraction for a k x k, stride s, pad p window: {@code image} [N, C, H, W] (any
     * strides, e.g. a permuted NHWC view) to {@code cols} [N, C, k, k, oH, oW] (any strides),
     * 0 outside the image.
     */
    static DynamicCustomOp im2col(INDArray image, INDArray cols, int k, int s, int p) {
        return DynamicCustomOp.builder("im2col")
                .addInputs(image)
                .addOutputs(cols)
                .addIntegerArguments(k, k, s, s, p, p, 1, 1, 0)
                .addFloatingPointArguments(0.0)
                .build();
    }

    /** The adjoint of {@link #im2col}: {@code image} = 0, then every patch value added back where it came from. */
    static DynamicCustomOp col2im(INDArray cols, INDArray image, int s, int p) {
        return DynamicCustomOp.builder("col2im")
                .addInputs(cols)
                .addOutputs(image)
                .addIntegerArguments(s, s, p, p, (int) image.size(2), (int) image.size(3), 1, 1, 0)
                .build();
    }
}
