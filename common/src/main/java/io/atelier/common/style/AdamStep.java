package io.atelier.common.style;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** One Adam (Kingma and Ba) step on an array, in place, with its moments held by the caller. */
final class AdamStep {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;

    private AdamStep() {
    }

    /** {@code t} counts steps from 1. */
    static void apply(INDArray x, INDArray grad, INDArray m, INDArray v, long t, double rate) {
        m.muli(BETA1).addi(grad.mul(1 - BETA1));
        v.muli(BETA2).addi(grad.mul(grad).muli(1 - BETA2));
        INDArray mHat = m.div(1 - Math.pow(BETA1, t));
        INDArray vHat = v.div(1 - Math.pow(BETA2, t));
        x.subi(mHat.muli(rate).divi(Transforms.sqrt(vHat, true).addi(EPS)));
    }
}
