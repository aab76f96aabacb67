package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Elementwise sums of whole rows (residuals, gradients of shared inputs) and per-channel shifts, as ND4J ops. */
public final class Pointwise {
    private Pointwise() {
    }

    /** out = a + b over rows [0, n) of out's row size; out may be a or b. */
    public static Tensor add(Tensor a, Tensor b, Tensor out, int n) {
        a.matrix(n).add(b.matrix(n), out.matrix(n));
        return out;
    }

    /** Adds row r's per-channel values {@code shift[r, c]} to every pixel of NHWC rows [pixels, channels] of x. */
    static void addPerChannel(Tensor x, Tensor shift, int pixels, int channels, int n) {
        INDArray maps = x.rows(n, pixels, channels);
        // [n, 1, C] broadcasts over the pixel axis.
        Nd4j.exec(DynamicCustomOp.builder("add")
                .addInputs(maps, shift.rows(n, 1, channels))
                .addOutputs(maps)
                .build());
    }

    /** shift[r, c] = the sum over pixels of NHWC rows [pixels, channels] of g: the adjoint of {@link #addPerChannel}. */
    static void sumPerChannel(Tensor g, Tensor shift, int pixels, int channels, int n) {
        g.rows(n, pixels, channels).sum(shift.matrix(n), 1);
    }
}
