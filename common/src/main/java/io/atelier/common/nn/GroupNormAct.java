package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Group normalisation of rows shaped [H, W, C] (or [C]), channels split into {@code groups}
 * equal groups normalised per row, then a per-channel affine map and an activation: SiLU, or
 * any {@link Activation} (none, ReLU, leaky ReLU, ...). It has no running statistics, so
 * training and sampling compute the same function and a sample never depends on the others in
 * its batch.
 *
 * <p>With {@code groups == channels} this is instance normalisation (each channel of each image
 * normalised over its pixels), as CycleGAN uses it. PyTorch's {@code InstanceNorm2d} there has
 * no affine map; here gamma and beta are learned and start at 1 and 0, which is the same function
 * at initialisation.
 *
 * <p>Everything runs as ND4J ops on views of the NHWC rows: per-channel sums over the pixel axis
 * of [n, H*W, C] (batched products with a row of ones, every output summed on one thread, so the
 * results do not depend on the thread count), group means of them as one small product with a block matrix
 * [C, C] (1 / (H*W*C/G) within a group), and broadcasts of per-row, per-channel values [n, 1, C]
 * over [n, H*W, C]. Measured on the CPU backend, this shape of broadcast costs about a fifth of
 * one against per-group values [n, 1, G, 1] over [n, H*W, G, C/G], and the two-pass statistics
 * (mean, then the sum of squares of x - mean) a third of the backend's {@code moments}.
 */
public final class GroupNormAct implements Layer {
    public static final float EPS = 1e-5f;

    private final String gammaName;
    private final int channels;
    private final int spatial;
    private final boolean silu;
    /** The activation after the affine map when not SiLU ({@link Activation#NONE} for none). */
    private final Activation act;
    private final long[] shape;
    private final INDArray gamma;
    private final INDArray beta;
    private final INDArray gammaGrad;
    private final INDArray betaGrad;
    /** [C, C]: 1 / (pixels * channels per group) where both channels are in one group, else 0. */
    private final INDArray groupAverage;
    private final Tensor xhat;
    /** gamma * xhat + beta when SiLU follows (SiLU's input); otherwise the output is computed in place. */
    private final Tensor pre;
    /** sigmoid(pre), kept for SiLU's backward pass. */
    private final Tensor sig;
    private final Tensor y;
    private final Tensor scratch;
    private final Tensor gradPre;
    private final Tensor gradIn;
    // Per row and channel: [n, C].
    private final Tensor sums;
    private final Tensor groupMeans;
    private final Tensor invStd;
    private final Tensor sumGx;
    private final Tensor sumG;
    private final Tensor scale;
    /** [n, 1, H*W] of ones: a row's per-channel sums over the pixels as one batched product. */
    private final Tensor ones;

    /** Registers gamma = 1 and beta = 0 under {@code name}. */
    public static void register(ParamLayout.Builder layout, String name, int channels) {
        layout.add(name + ".weight", ParamLayout.Init.ONE, 0, channels);
        layout.add(name + ".bias", ParamLayout.Init.ZERO, 0, channels);
    }

    /** Group norm followed by SiLU ({@code silu}) or by nothing. */
    public GroupNormAct(Params params, String name, int groups, boolean silu, int maxRows, long... shape) {
        this(params, name, groups, silu, Activation.NONE, maxRows, shape);
    }

    /**
     * Group norm followed by {@code act}, computed in place on the output and differentiated from
     * it; {@code groups} equal to the channel count gives instance norm.
     */
    public GroupNormAct(Params params, String name, int groups, Activation act, int maxRows, long... shape) {
        this(params, name, groups, false, act, maxRows, shape);
    }

    private GroupNormAct(Params params, String name, int groups, boolean silu, Activation act, int maxRows, long... shape) {
        this.gammaName = name + ".weight";
        this.channels = (int) shape[shape.length - 1];
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException(name + ": " + channels + " channels do not split into " + groups + " groups");
        }
        int per = channels / groups;
        long s = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            s *= shape[i];
        }
        this.spatial = (int) s;
        this.silu = silu;
        this.act = act;
        this.shape = shape.clone();
        this.gamma = params.value(name + ".weight");
        this.beta = params.value(name + ".bias");
        this.gammaGrad = params.grad(name + ".weight");
        this.betaGrad = params.grad(name + ".bias");
        this.groupAverage = Nd4j.create(DataType.FLOAT, channels, channels);
        for (int g = 0; g < groups; g++) {
            groupAverage.get(NDArrayIndex.interval(g * per, (g + 1) * per), NDArrayIndex.interval(g * per, (g + 1) * per))
                    .assign(1.0 / ((double) spatial * per));
        }
        this.xhat = new Tensor(maxRows, shape);
        this.pre = silu ? new Tensor(maxRows, shape) : null;
        this.sig = silu ? new Tensor(maxRows, shape) : null;
        this.y = new Tensor(maxRows, shape);
        this.scratch = new Tensor(maxRows, shape);
        this.gradPre = silu || act != Activation.NONE ? new Tensor(maxRows, shape) : null;
        this.gradIn = new Tensor(maxRows, shape);
        this.sums = new Tensor(maxRows, channels);
        this.groupMeans = new Tensor(maxRows, channels);
        this.invStd = new Tensor(maxRows, channels);
        this.sumGx = new Tensor(maxRows, channels);
        this.sumG = new Tensor(maxRows, channels);
        this.scale = new Tensor(maxRows, channels);
        this.ones = new Tensor(maxRows, 1, spatial);
        ones.rows(maxRows).assign(1);
    }

    @Override
    public long[] outShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != channels * spatial) {
            throw new IllegalArgumentException(gammaName + ": input rows have " + in.rowSize() + " values, expected "
                    + channels * spatial);
        }
        INDArray x3 = in.rows(n, spatial, channels);
        INDArray h3 = xhat.rows(n, spatial, channels);
        INDArray total = sums.matrix(n);
        INDArray m = groupMeans.matrix(n);
        INDArray r = invStd.matrix(n);
        // xhat = x - mean, then the variance from the centred values (no cancellation), then xhat *= 1 / std.
        pixelSums(x3, sums, n);
        Nd4j.gemm(total, groupAverage, m, false, false, 1.0, 0.0);
        Nd4j.exec(new SubOp(x3, groupMeans.rows(n, 1, channels), h3));
        INDArray squares = scratch.rows(n, spatial, channels);
        Nd4j.exec(new MulOp(h3, h3, squares));
        pixelSums(squares, sums, n);
        Nd4j.gemm(total, groupAverage, r, false, false, 1.0, 0.0);
        r.addi(EPS);
        Nd4j.exec(new RSqrt(r, r));
        Nd4j.exec(new MulOp(h3, invStd.rows(n, 1, channels), h3));
        Tensor out = silu ? pre : y;
        INDArray o = out.pixels(n);
        Nd4j.exec(new MulOp(xhat.pixels(n), gamma, o));
        Nd4j.exec(new AddOp(o, beta, o));
        if (silu) {
            Silu.forward(o, sig.pixels(n), y.pixels(n));
        } else {
            // The statistics are done with the scratch buffer, which the rectifiers use here.
            act.forward(o, act.needsScratch() ? scratch.pixels(n) : null);
        }
        return y;
    }

    /**
     * With v = gamma * xhat + beta and dv its gradient: dgamma = sum dv * xhat, dbeta = sum dv,
     * and per row and group g, dx = invStd (gamma dv - mean_g(gamma dv) - xhat mean_g(gamma dv xhat)),
     * where both group means come from the per-channel sums of dv and dv * xhat.
     */
    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        INDArray dv;
        if (silu) {
            dv = gradPre.pixels(n);
            Silu.backward(sig.pixels(n), y.pixels(n), gradOut.pixels(n), dv);
        } else if (act != Activation.NONE) {
            // The caller's gradient stays as it was; the scratch buffer is free until t3 below.
            dv = gradPre.pixels(n).assign(gradOut.pixels(n));
            act.backward(y.pixels(n), dv, act.needsScratch() ? scratch.pixels(n) : null);
        } else {
            dv = gradOut.pixels(n);
        }
        INDArray dv3 = dv.reshape('c', n, spatial, channels);
        INDArray h3 = xhat.rows(n, spatial, channels);
        INDArray t3 = scratch.rows(n, spatial, channels);
        INDArray qx = sumGx.matrix(n);
        INDArray q = sumG.matrix(n);
        Nd4j.exec(new MulOp(dv3, h3, t3));
        pixelSums(t3, sumGx, n);
        pixelSums(dv3, sumG, n);
        if (grads.params()) {
            qx.sum(gammaGrad, 0);
            q.sum(betaGrad, 0);
        }
        if (grads.input()) {
            INDArray r = invStd.matrix(n);
            // a = mean_g(gamma dv) invStd and b = mean_g(gamma dv xhat) invStd, per row and channel
            // (into the sums' buffers, which are no longer needed).
            INDArray a = sums.matrix(n);
            INDArray b = groupMeans.matrix(n);
            Nd4j.exec(new MulOp(q, gamma, q));
            Nd4j.gemm(q, groupAverage, a, false, false, 1.0, 0.0);
            a.muli(r);
            Nd4j.exec(new MulOp(qx, gamma, qx));
            Nd4j.gemm(qx, groupAverage, b, false, false, 1.0, 0.0);
            b.muli(r);
            // dx = dv * (gamma invStd) - xhat * b - a.
            Nd4j.exec(new MulOp(r, gamma, scale.matrix(n)));
            INDArray dx3 = gradIn.rows(n, spatial, channels);
            Nd4j.exec(new MulOp(dv3, scale.rows(n, 1, channels), dx3));
            Nd4j.exec(new MulOp(h3, groupMeans.rows(n, 1, channels), t3));
            Nd4j.exec(new SubOp(dx3, t3, dx3));
            Nd4j.exec(new SubOp(dx3, sums.rows(n, 1, channels), dx3));
        }
        return gradIn;
    }

    /**
     * out[r, c] = the sum over pixels of src[r, :, c], as a batched product with a row of ones:
     * the backend's matrix kernel reads the pixels in order, where a reduction over the middle
     * axis strides (measured about a third slower). Each output is one dot product, computed by
     * one thread.
     */
    private void pixelSums(INDArray src, Tensor out, int n) {
        Nd4j.exec(DynamicCustomOp.builder("matmul")
                .addInputs(ones.rows(n), src)
                .addOutputs(out.rows(n, 1, channels))
                .addIntegerArguments(0, 0, 0)
                .addFloatingPointArguments(1.0, 0.0)
                .build());
    }
}
