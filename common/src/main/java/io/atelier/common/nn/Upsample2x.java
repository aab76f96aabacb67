package io.atelier.common.nn;

import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Nearest-neighbour 2x upsampling of NHWC rows [H, W, C] -> [2H, 2W, C] with the backend's
 * {@code upsampling2d}; backward ({@code upsampling2d_bp}) sums each 2x2 block. The ops are
 * built once per (input or gradient buffer, row count).
 */
public final class Upsample2x implements Layer {
    /** The ops' layout flag: 0 reads and writes NHWC. */
    private static final int NHWC = 0;

    private final int h;
    private final int w;
    private final int c;
    private final Tensor y;
    private final Tensor gradIn;
    private final DynamicCustomOp[] forwardOps;
    private final DynamicCustomOp[] backwardOps;
    private Tensor x;
    private Tensor gy;

    public Upsample2x(int h, int w, int c, int maxRows) {
        this.h = h;
        this.w = w;
        this.c = c;
        this.y = new Tensor(maxRows, 2L * h, 2L * w, c);
        this.gradIn = new Tensor(maxRows, h, w, c);
        this.forwardOps = new DynamicCustomOp[maxRows + 1];
        this.backwardOps = new DynamicCustomOp[maxRows + 1];
    }

    @Override
    public long[] outShape() {
        return new long[]{2L * h, 2L * w, c};
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != h * w * c) {
            throw new IllegalArgumentException("upsample: input rows have " + in.rowSize() + " values, expected " + h * w * c);
        }
        if (in != x) {
            x = in;
            java.util.Arrays.fill(forwardOps, null);
            java.util.Arrays.fill(backwardOps, null);
        }
        DynamicCustomOp op = forwardOps[n];
        if (op == null) {
            op = DynamicCustomOp.builder("upsampling2d")
                    .addInputs(in.rows(n, h, w, c))
                    .addOutputs(y.rows(n))
                    .addIntegerArguments(2, 2, NHWC)
                    .build();
            forwardOps[n] = op;
        }
        Nd4j.exec(op);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        if (gradOut.rowSize() != y.rowSize()) {
            throw new IllegalArgumentException("upsample: gradient rows have " + gradOut.rowSize() + " values, expected " + y.rowSize());
        }
        if (gradOut != gy) {
            gy = gradOut;
            java.util.Arrays.fill(backwardOps, null);
        }
        DynamicCustomOp op = backwardOps[n];
        if (op == null) {
            // The forward input only gives the gradient's shape.
            op = DynamicCustomOp.builder("upsampling2d_bp")
                    .addInputs(x.rows(n, h, w, c), gradOut.rows(n, 2L * h, 2L * w, c))
                    .addOutputs(gradIn.rows(n))
                    .addIntegerArguments(NHWC)
                    .build();
            backwardOps[n] = op;
        }
        Nd4j.exec(op);
        return gradIn;
    }
}
