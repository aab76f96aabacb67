package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The few heavy kernels, as reusable op instances bound to fixed buffers: built once per
 * (layer, batch size) and re-executed every step, so a step allocates no native memory.
 * Convolutions use PyTorch's weight layouts (conv [out, in, kh, kw], transposed conv
 * [in, out, kh, kw]) on NHWC activations, the layout oneDNN's fastest CPU kernels read and
 * write directly (NCHW costs a reorder of every activation on every call).
 */
final class NativeOps {
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
    static DynamicCustomOp matmul(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
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
}
