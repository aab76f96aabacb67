package io.atelier.common.families.stylegan;

import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * NVlabs' path-length penalty and its parameter gradient, without double backpropagation. For n
 * images with per-layer latents w (as the synthesis takes them) and a random image y, g = J^T y =
 * d sum(G(w) * y) / dw, the length |g| = sqrt(sum over layers and dimensions of g^2 / layers),
 * the running mean a' = a + {@link #DECAY} (mean |g| - a), and the penalty mean (|g| - a')^2, a'
 * included in the derivative as NVlabs leaves it attached. With u = dpenalty/dg per image, the
 * parameter gradient is (dg/dtheta)^T u, the derivative of grad_theta sum(G(w) * y) along w in the
 * direction u, taken as R1's by central differences of two ordinary gradients, the rectifiers held
 * at their slopes at w ({@link StyleGenerator#freezeActivations}); the mapping network's share
 * goes back from the same difference of dL/dw. eps moves w by {@link #STEP} (root mean square).
 * What remains is the modulation's and demodulation's curvature, O(eps^2). Costs three forward and
 * backward passes of the synthesis network on the n images.
 */
final class PathLengthPenalty {
    /** Root-mean-square shift of w in the central difference. */
    static final double STEP = 1e-2;
    /** NVlabs' pl_decay. */
    static final double DECAY = 0.01;

    /** The step's mean |g|, its penalty mean (|g| - a')^2 and the new running mean a'. */
    record Result(double meanLength, double penalty, float plMean) {
    }

    private final StyleGenerator g;
    private final int numWs;
    private final Tensor[] base;
    private final Tensor[] dir;
    private final Tensor[] plusW;
    private final Tensor gradMapping;
    private final INDArray plus;

    PathLengthPenalty(StyleGenerator g, int numWs, int latentDim, int maxRows) {
        this.g = g;
        this.numWs = numWs;
        this.base = new Tensor[numWs];
        this.dir = new Tensor[numWs];
        this.plusW = new Tensor[numWs];
        for (int l = 0; l < numWs; l++) {
            base[l] = new Tensor(maxRows, latentDim);
            dir[l] = new Tensor(maxRows, latentDim);
            plusW[l] = new Tensor(maxRows, latentDim);
        }
        this.gradMapping = new Tensor(2L * maxRows, latentDim);
        this.plus = g.params().grads().ulike();
    }

    /**
     * The lengths |J^T y| of rows [0, n) at the generator's current w inputs, one synthesis forward
     * and backward; leaves g = J^T y per layer in {@code dir}.
     */
    float[] lengths(Tensor y, int n) {
        g.synthesize(n);
        g.synthesisBackward(y, n);
        INDArray squares = Nd4j.zeros(g.wGrad(0).matrix(n).dataType(), n);
        for (int l = 0; l < numWs; l++) {
            INDArray gl = dir[l].matrix(n);
            gl.assign(g.wGrad(l).matrix(n));
            squares.addi(gl.mul(gl).sum(1));
        }
        return HostArrays.toArray(Transforms.sqrt(squares.divi(numWs), false));
    }

    /**
     * Writes grad_theta of the penalty mean (|g| - a')^2 over rows [0, n) into {@code out} (G's
     * parameter layout, mapping included) and returns the step's numbers. The caller has mapped
     * 2n latents ({@link StyleGenerator#map}), set the w inputs of rows [0, n) (layers below
     * {@code cutoff} from latents [0, n), the rest from [n, 2n)) and the noise maps, and passes the
     * random images y and the running mean a before this step. G's parameter gradients are
     * overwritten; the w inputs are left as they were.
     */
    Result gradient(Tensor y, int n, int cutoff, float plMean, INDArray out) {
        float[] len = lengths(y, n);
        double meanLength = 0;
        for (float v : len) {
            meanLength += v;
        }
        meanLength /= n;
        float a = (float) (plMean + DECAY * (meanLength - plMean));
        double penalty = 0;
        double meanGap = 0;
        for (float v : len) {
            penalty += (v - a) * (double) (v - a);
            meanGap += v - a;
        }
        penalty /= n;
        meanGap /= n;
        // d penalty / d g_i = (2 / n) ((|g_i| - a') - DECAY mean_j (|g_j| - a')) g_i / (layers |g_i|).
        float[] coef = new float[n];
        for (int i = 0; i < n; i++) {
            coef[i] = len[i] > 0 ? (float) (2.0 / n * ((len[i] - a) - DECAY * meanGap) / (numWs * (double) len[i])) : 0f;
        }
        INDArray c = Nd4j.createFromArray(coef).reshape(n, 1).castTo(dir[0].matrix(n).dataType());
        double squares = 0;
        for (int l = 0; l < numWs; l++) {
            INDArray u = dir[l].matrix(n);
            u.muliColumnVector(c);
            squares += u.mul(u).sumNumber().doubleValue();
        }
        double rms = Math.sqrt(squares / ((double) numWs * dir[0].matrix(n).length()));
        if (!(rms > 0) || !Double.isFinite(rms)) {
            out.assign(0);
            return new Result(meanLength, penalty, a);
        }
        double eps = STEP / rms;
        for (int l = 0; l < numWs; l++) {
            base[l].matrix(n).assign(g.wInput(l).matrix(n));
        }
        g.freezeActivations(true);
        try {
            shiftedGradients(y, n, eps);
            plus.assign(g.params().grads());
            for (int l = 0; l < numWs; l++) {
                plusW[l].matrix(n).assign(g.wGrad(l).matrix(n));
            }
            shiftedGradients(y, n, -eps);
        } finally {
            g.freezeActivations(false);
            for (int l = 0; l < numWs; l++) {
                g.wInput(l).matrix(n).assign(base[l].matrix(n));
            }
        }
        // The synthesis parameters' share (the mapping's entries are untouched by both passes: 0).
        plus.sub(g.params().grads(), out).muli(1.0 / (2 * eps));
        // The mapping's: the same difference of dL/dw, summed per latent as the layers took them.
        INDArray first = gradMapping.rows(2 * n).get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
        INDArray second = gradMapping.rows(2 * n).get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all());
        first.assign(0);
        second.assign(0);
        for (int l = 0; l < numWs; l++) {
            (l < cutoff ? first : second).addi(plusW[l].matrix(n).sub(g.wGrad(l).matrix(n)));
        }
        gradMapping.matrix(2 * n).muli(1.0 / (2 * eps));
        g.params().grads().assign(0);
        g.mapBackward(gradMapping, 2 * n);
        out.addi(g.params().grads());
        return new Result(meanLength, penalty, a);
    }

    /** grad_theta sum(G(w + shift u) * y) into G's gradients, dL/dw into its wGrad. */
    private void shiftedGradients(Tensor y, int n, double shift) {
        for (int l = 0; l < numWs; l++) {
            g.wInput(l).matrix(n).assign(base[l].matrix(n)).addi(dir[l].matrix(n).mul(shift));
        }
        g.synthesize(n);
        g.synthesisBackward(y, n);
    }
}
