package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Loss functions over logits and images, as ND4J ops. */
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

    /**
     * Mean squared error of {@code x} against a constant {@code target} (least-squares GAN
     * losses, with targets 1 for real and 0 for fake). Writes d(mean)/dx = 2 (x - target) / count
     * into {@code grad} (same shape) and returns the mean; the loss is the one value read back.
     */
    public static double squaredError(INDArray x, INDArray grad, float target) {
        requireSameShape("x", x, "grad", grad);
        long count = x.length();
        x.sub(target, grad);
        double norm = grad.norm2Number().doubleValue();
        grad.muli(2f / count);
        return norm * norm / count;
    }

    /**
     * Mean absolute error of {@code x} against {@code target} (CycleGAN's cycle and identity L1
     * losses). Writes d(mean)/dx = sign(x - target) / count into {@code grad} (0 where the two
     * are equal) and returns the mean; {@code grad} may not be {@code x} or {@code target}.
     */
    public static double absoluteError(INDArray x, INDArray target, INDArray grad) {
        requireSameShape("x", x, "target", target);
        requireSameShape("x", x, "grad", grad);
        long count = x.length();
        x.sub(target, grad);
        double loss = grad.norm1Number().doubleValue() / count;
        Transforms.sign(grad, false).muli(1f / count);
        return loss;
    }

    private static void requireSameShape(String aName, INDArray a, String bName, INDArray b) {
        if (!a.equalShapes(b)) {
            throw new IllegalArgumentException(aName + " " + java.util.Arrays.toString(a.shape()) + " and " + bName + " "
                    + java.util.Arrays.toString(b.shape()) + " differ in shape; pass tensors of one shape");
        }
    }
}
