package io.atelier.common.nn;

import java.nio.FloatBuffer;

/** Loss functions over logit buffers. */
public final class Losses {
    private Losses() {
    }

    /**
     * Mean binary cross-entropy of sigmoid(logit) against a constant {@code target} over
     * {@code count} logits starting at {@code from}, computed stably from the logits. Writes
     * d(mean loss)/d(logit) into {@code grad} at the same indices and returns the loss;
     * {@code out[0]} receives the mean sigmoid (the discriminator's average belief).
     */
    public static double bceWithLogits(FloatBuffer logits, FloatBuffer grad, int from, int count, float target, double[] out) {
        double loss = 0;
        double prob = 0;
        float scale = 1f / count;
        for (int i = from; i < from + count; i++) {
            float l = logits.get(i);
            loss += Math.max(l, 0f) - l * target + Math.log1p(Math.exp(-Math.abs(l)));
            float p = Activation.sigmoid(l);
            prob += p;
            grad.put(i, (p - target) * scale);
        }
        if (out != null) {
            out[0] = prob / count;
        }
        return loss / count;
    }
}
