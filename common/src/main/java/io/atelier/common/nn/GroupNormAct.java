package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Group normalisation of rows shaped [H, W, C] (or [C]), channels split into {@code groups}
 * equal groups normalised per row, then a per-channel affine map and optionally SiLU. It has no
 * running statistics, so training and sampling compute the same function and a sample never
 * depends on the others in its batch.
 *
 * <p>Everything runs as ND4J ops on views of the NHWC rows: [n, H*W, G, C/G] for the group
 * statistics ({@code moments} over axes 1 and 3) and the normalisation (broadcast against
 * [n, 1, G, 1]), [n, H*W, C] for the per-channel sums of the backward pass (reductions over
 * axis 1), [n*H*W, C] for the affine map (broadcast against [C]). Each reduction sums a
 * row's values on one thread, so the statistics do not depend on the thread count.
 */
public final class GroupNormAct implements Layer {
    public static final float EPS = 1e-5f;

    private final String gammaName;
    private final int channels;
    private final int groups;
    private final int per;
    private final int spatial;
    private final boolean silu;
    private final long[] shape;
    private final INDArray gamma;
    private final INDArray beta;
    private final INDArray gammaGrad;
    private final INDArray betaGrad;
    /** gamma as [1, G, C/G], for per-group sums of per-channel products. */
    private final INDArray gammaGroups;
    private final Tensor xhat;
    /** gamma * xhat + beta: the output, or SiLU's input. */
    private final Tensor pre;
    /** sigmoid(pre), kept for SiLU's backward pass. */
    private final Tensor sig;
    private final Tensor y;
    private final Tensor scratch;
    private final Tensor gradPre;
    private final Tensor gradIn;
    // Per row and group: [n, 1, G, 1].
    private final Tensor mean;
    private final Tensor invStd;
    private final Tensor groupA;
    private final Tensor groupB;
    // Per row and channel: [n, C].
    private final Tensor sumGx;
    private final Tensor sumG;
    private final Tensor scale;

    /** Registers gamma = 1 and beta = 0 under {@code name}. */
    public static void register(ParamLayout.Builder layout, String name, int channels) {
        layout.add(name + ".weight", ParamLayout.Init.ONE, 0, channels);
        layout.add(name + ".bias", ParamLayout.Init.ZERO, 0, channels);
    }

    public GroupNormAct(Params params, String name, int groups, boolean silu, int maxRows, long... shape) {
        this.gammaName = name + ".weight";
        this.channels = (int) shape[shape.length - 1];
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException(name + ": " + channels + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.per = channels / groups;
        long s = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            s *= shape[i];
        }
        this.spatial = (int) s;
        this.silu = silu;
        this.shape = shape.clone();
        this.gamma = params.value(name + ".weight");
        this.beta = params.value(name + ".bias");
        this.gammaGrad = params.grad(name + ".weight");
        this.betaGrad = params.grad(name + ".bias");
        this.gammaGroups = gamma.reshape('c', 1, groups, per);
        this.xhat = new Tensor(maxRows, shape);
        this.pre = silu ? new Tensor(maxRows, shape) : null;
        this.sig = silu ? new Tensor(maxRows, shape) : null;
        this.y = new Tensor(maxRows, shape);
        this.scratch = new Tensor(maxRows, shape);
        this.gradPre = silu ? new Tensor(maxRows, shape) : null;
        this.gradIn = new Tensor(maxRows, shape);
        this.mean = new Tensor(maxRows, 1, groups, 1);
        this.invStd = new Tensor(maxRows, 1, groups, 1);
        this.groupA = new Tensor(maxRows, 1, groups, 1);
        this.groupB = new Tensor(maxRows, 1, groups, 1);
        this.sumGx = new Tensor(maxRows, channels);
        this.sumG = new Tensor(maxRows, channels);
        this.scale = new Tensor(maxRows, channels);
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
        INDArray x4 = in.rows(n, spatial, groups, per);
        INDArray m = mean.rows(n);
        INDArray r = invStd.rows(n);
        Nd4j.exec(DynamicCustomOp.builder("moments")
                .addInputs(x4)
                .addOutputs(m.reshape('c', n, groups), r.reshape('c', n, groups))
                .addIntegerArguments(1, 3)
                .addFloatingPointArguments(0.0)
                .build());
        r.addi(EPS);
        Nd4j.exec(new RSqrt(r, r));
        INDArray h4 = xhat.rows(n, spatial, groups, per);
        Nd4j.exec(new SubOp(x4, m, h4));
        Nd4j.exec(new MulOp(h4, r, h4));
        Tensor out = silu ? pre : y;
        INDArray h = xhat.pixels(n);
        INDArray o = out.pixels(n);
        Nd4j.exec(new MulOp(h, gamma, o));
        Nd4j.exec(new AddOp(o, beta, o));
        if (silu) {
            Silu.forward(o, sig.pixels(n), y.pixels(n));
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
        } else {
            dv = gradOut.pixels(n);
        }
        INDArray h = xhat.pixels(n);
        INDArray t = scratch.pixels(n);
        Nd4j.exec(new MulOp(dv, h, t));
        INDArray qx = sumGx.matrix(n);
        INDArray q = sumG.matrix(n);
        scratch.rows(n, spatial, channels).sum(qx, 1);
        INDArray dv3 = dv.reshape('c', n, spatial, channels);
        dv3.sum(q, 1);
        if (grads.params()) {
            qx.sum(gammaGrad, 0);
            q.sum(betaGrad, 0);
        }
        if (grads.input()) {
            double count = (double) spatial * per;
            INDArray r = invStd.rows(n);
            // a = mean_g(gamma dv) invStd, b = mean_g(gamma dv xhat) invStd, per row and group.
            INDArray a = groupA.rows(n);
            INDArray b = groupB.rows(n);
            groupMean(q, a, count);
            groupMean(qx, b, count);
            a.muli(r);
            b.muli(r);
            // dx = dv * (gamma invStd) - xhat * b - a.
            INDArray k = scale.rows(n, groups, per);
            Nd4j.exec(new MulOp(r.reshape('c', n, groups, 1), gammaGroups, k));
            INDArray dx3 = gradIn.rows(n, spatial, channels);
            Nd4j.exec(new MulOp(dv3, scale.rows(n, 1, channels), dx3));
            INDArray t4 = scratch.rows(n, spatial, groups, per);
            Nd4j.exec(new MulOp(xhat.rows(n, spatial, groups, per), b, t4));
            INDArray dx4 = gradIn.rows(n, spatial, groups, per);
            Nd4j.exec(new SubOp(dx4, t4, dx4));
            Nd4j.exec(new SubOp(dx4, a, dx4));
        }
        return gradIn;
    }

    /** out[r, 0, g, 0] = sum over group g's channels c of gamma[c] perChannel[r, c], divided by count. */
    private void groupMean(INDArray perChannel, INDArray out, double count) {
        int n = (int) perChannel.size(0);
        INDArray weighted = perChannel.reshape('c', n, groups, per);
        Nd4j.exec(new MulOp(weighted, gammaGroups, weighted));
        weighted.sum(out.reshape('c', n, groups), 2);
        out.divi(count);
    }
}
