package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam (Kingma and Ba) for every optimizer in the project, as the backend's fused
 * {@code adam_updater} op plus one subtraction, so it runs wherever the tensors live. The op
 * folds the bias corrections into the step size, lr * sqrt(1 - beta2^t) / (1 - beta1^t), and adds
 * eps to sqrt(v) before that correction, where PyTorch adds it after; with eps = 1e-8 the two
 * differ only for second moments near 1e-16.
 */
public final class Adam {
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;

    public Adam(double lr, double beta1, double beta2, double eps) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("Adam: the learning rate must be a positive number, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam: betas must lie in [0, 1), got " + beta1 + " and " + beta2);
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** Adam with the usual betas (0.9, 0.999) and eps 1e-8. */
    public Adam(double lr) {
        this(lr, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS);
    }

    /** One update of a network's parameters from its gradients (which it overwrites); see below. */
    public void step(Params params, AdamMoments moments, long t, double lrScale) {
        step(params.values(), params.grads(), moments.first(), moments.second(), t, lrScale);
    }

    /**
     * One update of {@code params} in place; {@code t} is the 1-based step number used for bias
     * correction. The moments are updated in place and {@code grads} is overwritten with the step
     * taken (the op works in place to need no buffer of its own).
     */
    public void step(INDArray params, INDArray grads, INDArray m, INDArray v, long t) {
        step(params, grads, m, v, t, 1.0);
    }

    /** One update with the step size scaled by {@code lrScale} (a warm-up or decay schedule). */
    public void step(INDArray params, INDArray grads, INDArray m, INDArray v, long t, double lrScale) {
        if (t < 1) {
            throw new IllegalArgumentException("Adam: step numbers start at 1, got " + t);
        }
        long n = params.length();
        if (grads.length() != n || m.length() != n || v.length() != n) {
            throw new IllegalArgumentException("Adam: " + n + " parameters but " + grads.length() + " gradients and moments of "
                    + m.length() + " and " + v.length());
        }
        // The op counts iterations from 0 and raises the betas to iteration + 1.
        Nd4j.exec(new AdamUpdater(grads, v, m, grads, v, m, lr * lrScale, beta1, beta2, eps, (int) Math.min(t - 1, Integer.MAX_VALUE)));
        params.subi(grads);
    }
}
