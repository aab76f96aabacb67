package io.atelier.common.nn;

import java.nio.FloatBuffer;

/**
 * Adam over flat arrays, PyTorch's formulation: bias-corrected first moment over
 * (sqrt(bias-corrected second moment) + eps). Parameters and gradients are native (the kernels
 * read them); the moments only ever meet this loop, so they stay on the heap.
 */
public final class Adam {
    private final float lr;
    private final float beta1;
    private final float beta2;
    private final float eps;

    public Adam(double lr, double beta1, double beta2, double eps) {
        this.lr = (float) lr;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
    }

    /** One update; {@code t} is the 1-based step number used for bias correction. */
    public void step(FloatBuffer params, FloatBuffer grads, float[] m, float[] v, long t) {
        step(params, grads, m, v, t, 1.0);
    }

    /** One update with the step size scaled by {@code lrScale} (a warm-up or decay schedule). */
    public void step(FloatBuffer params, FloatBuffer grads, float[] m, float[] v, long t, double lrScale) {
        int n = m.length;
        if (v.length != n || params.capacity() < n || grads.capacity() < n) {
            throw new IllegalArgumentException("Adam: moment and parameter sizes differ");
        }
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (lr * lrScale / bc1);
        float rootBc2 = (float) Math.sqrt(bc2);
        float b1 = beta1;
        float b2 = beta2;
        float c1 = 1 - beta1;
        float c2 = 1 - beta2;
        for (int i = 0; i < n; i++) {
            float g = grads.get(i);
            float mi = b1 * m[i] + c1 * g;
            float vi = b2 * v[i] + c2 * g * g;
            m[i] = mi;
            v[i] = vi;
            params.put(i, params.get(i) - stepSize * mi / ((float) Math.sqrt(vi) / rootBc2 + eps));
        }
    }
}
