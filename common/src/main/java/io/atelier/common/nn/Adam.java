package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam (Kingma and Ba) for every optimizer in the project, in PyTorch's formulation (eps added
 * to the bias-corrected root), as element-wise ND4J ops in place, so it runs wherever the
 * tensors live and allocates nothing. The backend's fused {@code adam_updater} op adds eps before
 * the bias correction instead, which moved parameters whose gradients are near zero by up to twice
 * the learning rate away from PyTorch's step (measured against libtorch's Adam in
 * {@code LibtorchGanStepTest}); so it is not used.
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
     * taken (it serves as the scratch, so the update needs no buffer of its own).
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
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        // m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2 (g is then scratch).
        m.muli(beta1);
        Nd4j.getBlasWrapper().level1().axpy(n, 1 - beta1, grads, m);
        grads.muli(grads);
        v.muli(beta2);
        Nd4j.getBlasWrapper().level1().axpy(n, 1 - beta2, grads, v);
        // step = lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)
        Nd4j.exec(new Sqrt(v, grads));
        grads.muli(1 / Math.sqrt(bc2)).addi(eps).rdivi(m).muli(lr * lrScale / bc1);
        params.subi(grads);
    }
}
