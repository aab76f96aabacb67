package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Loss functions over logits, as ND4J ops. */
public final class Losses {
    private Losses() {
    }

    /**
     * Mean binary cross-entropy of sigmoid(logit) against a constant {@code target} over all of
     * {@code logits}, computed stably as max(l, 0) - l * target + log(1 + e^-|l|). Writes
     * d(mean loss)/d(logit) into {@code grad} (same shape) and returns the loss;
     * {@code meanProb[0]}, when given, receives the mean sigmoid (the discriminator's average
     * belief). The two scalars are the only values read back to the host.
     */
    public static double bceWithLogits(INDArray logits, INDArray grad, float target, double[] meanProb) {
        if (!logits.equalShapes(grad)) {
            throw new IllegalArgumentException("logits " + java.util.Arrays.toString(logits.shape())
                    + " and their gradient " + java.util.Arrays.toString(grad.shape()) + " differ in shape");
        }
        long count = logits.length();
        // log(1 + e^-|l|) never overflows; softplus(l) = that + max(l, 0).
        INDArray terms = Transforms.abs(logits, true).negi();
        Transforms.log1p(Transforms.exp(terms, false), false);
        terms.addi(Transforms.relu(logits, true));
        if (target != 0f) {
            terms.subi(logits.mul(target));
        }
        double loss = terms.sumNumber().doubleValue() / count;
        Transforms.sigmoid(grad.assign(logits), false);
        if (meanProb != null) {
            meanProb[0] = grad.sumNumber().doubleValue() / count;
        }
        grad.subi(target).muli(1f / count);
        return loss;
    }
}
