package io.atelier.common.families.stylegan;

import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The parameter gradient of the R1 penalty P = 0.5 |v|^2, v = d sum(D(x)) / dx at the reals,
 * without double backpropagation (the layers have none). Since grad_theta P = (d v / d theta)^T v,
 * which is the derivative of grad_theta D along v, it is a Hessian-vector product, taken here by
 * central differences of two ordinary parameter gradients:
 * grad_theta P ~= [grad_theta D(x + eps v) - grad_theta D(x - eps v)] / (2 eps), with eps chosen
 * so that the images move by {@link #STEP} (root mean square, in [-1, 1] pixel units). During the
 * two shifted passes every leaky ReLU keeps its slopes at the reals: D is then the piecewise-linear
 * branch it was on at x, which is what double backpropagation differentiates (a rectifier's second
 * derivative taken as 0). Letting the slopes follow would add a jump / (2 eps) for every unit
 * crossing its kink inside the step, a bias that does not shrink with eps. What remains is the
 * minibatch std's curvature, O(eps^2). Costs three forward and backward passes of D.
 */
final class R1Penalty {
    /** Root-mean-square pixel shift of the central difference. */
    static final double STEP = 1e-2;

    private final StyleDiscriminator d;
    private final Tensor v;
    private final Tensor ones;
    private final INDArray plus;

    R1Penalty(StyleDiscriminator d, int maxRows) {
        this.d = d;
        this.v = new Tensor(maxRows, d.input().rowShape());
        this.ones = new Tensor(maxRows, 1);
        this.plus = d.params().grads().ulike();
    }

    /**
     * Writes grad_theta of 0.5 |v|^2 (summed over the n reals) into {@code out}, a tensor of D's
     * parameter layout, and returns |v|^2. D's parameter gradients and input are overwritten.
     */
    double gradient(Tensor reals, int n, INDArray out) {
        ones.matrix(n).assign(1);
        INDArray x = d.input().rows(n);
        x.assign(reals.rows(n));
        d.forward(n);
        INDArray vn = v.rows(n);
        vn.assign(d.backward(ones, n, Layer.Grads.ALL).rows(n));
        double norm = vn.norm2Number().doubleValue();
        double squared = norm * norm;
        if (!(norm > 0) || !Double.isFinite(norm)) {
            out.assign(0);
            return squared;
        }
        double eps = STEP / (norm / Math.sqrt(vn.length()));
        d.freezeActivations(true);
        try {
            x.assign(reals.rows(n)).addi(vn.mul(eps));
            d.forward(n);
            d.backward(ones, n, Layer.Grads.PARAMS);
            plus.assign(d.params().grads());
            x.assign(reals.rows(n)).subi(vn.mul(eps));
            d.forward(n);
            d.backward(ones, n, Layer.Grads.PARAMS);
        } finally {
            d.freezeActivations(false);
        }
        plus.sub(d.params().grads(), out).muli(1.0 / (2 * eps));
        return squared;
    }
}
