package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.Map;

/**
 * Batch normalisation of the last (channel) dimension of rows shaped [H, W, C] (or [C] for dense
 * features), followed by a pointwise activation, as ND4J ops. Training passes normalise each
 * group of rows with its own statistics and fold them into the running mean and (unbiased)
 * variance with momentum 0.1, as PyTorch does; evaluation passes use the running statistics.
 * A batch of n rows is seen as one [pixels, C] matrix per group: statistics are column sums,
 * and the per-channel scale and shift are row-vector broadcasts over those matrices, whose rows
 * are contiguous. Results do not depend on the number of native threads.
 */
public final class BatchNormAct implements Layer {
    public static final float EPS = 1e-5f;
    public static final float MOMENTUM = 0.1f;

    private final Params params;
    private final RunningStats stats;
    private final String gammaName;
    private final String betaName;
    private final String meanName;
    private final String varName;
    private final int channels;
    private final int spatial;
    private final long[] shape;
    private final Activation act;
    private final Tensor y;
    private final Tensor gradIn;
    /** x - mean from the last forward pass; the backward pass turns it into its product with dL/dz. */
    private final Tensor work;
    /** For the rectifiers' branch-free ops; null for other activations. */
    private final Tensor scratch;
    /** Per-group [maxGroups, C] statistics and coefficients; a pass with g groups uses the first g rows. */
    private final INDArray mean;
    private final INDArray var;
    private final INDArray invStd;
    private final INDArray scale;
    private final INDArray sumDz;
    private final INDArray sumDzXhat;
    private final Map<Long, Views> views = new HashMap<>();
    private Tensor x;
    private int lastGroups;

    /** Registers gamma ~ N(1, 0.02) and beta = 0, and running mean 0 / variance 1. */
    public static void register(ParamLayout.Builder params, ParamLayout.Builder stats, String name, int channels) {
        params.add(name + ".weight", ParamLayout.Init.ONE_PLUS_NORMAL, 0.02, channels);
        params.add(name + ".bias", ParamLayout.Init.ZERO, 0, channels);
        stats.add(name + ".running_mean", ParamLayout.Init.ZERO, 0, channels);
        stats.add(name + ".running_var", ParamLayout.Init.ONE, 0, channels);
    }

    /** @param shape per-row shape, channels last: [H, W, C] for feature maps, [C] for dense features */
    public BatchNormAct(Params params, RunningStats stats, String name, Activation act, int maxRows, int maxGroups, long... shape) {
        this.params = params;
        this.stats = stats;
        this.gammaName = name + ".weight";
        this.betaName = name + ".bias";
        this.meanName = name + ".running_mean";
        this.varName = name + ".running_var";
        this.channels = (int) shape[shape.length - 1];
        long s = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            s *= shape[i];
        }
        this.spatial = (int) s;
        this.shape = shape.clone();
        this.act = act;
        this.y = new Tensor(maxRows, shape);
        this.gradIn = new Tensor(maxRows, shape);
        this.work = new Tensor(maxRows, shape);
        this.scratch = act.needsScratch() ? new Tensor(maxRows, shape) : null;
        this.mean = groupArray(maxGroups);
        this.var = groupArray(maxGroups);
        this.invStd = groupArray(maxGroups);
        this.scale = groupArray(maxGroups);
        this.sumDz = groupArray(maxGroups);
        this.sumDzXhat = groupArray(maxGroups);
    }

    private INDArray groupArray(int groups) {
        return Nd4j.create(DataType.FLOAT, new long[]{groups, channels}, 'c');
    }

    @Override
    public long[] outShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != channels * spatial) {
            throw new IllegalArgumentException(gammaName + ": input rows have " + in.rowSize() + " values, expected " + channels * spatial);
        }
        x = in;
        int groups = pass.training() ? pass.groups() : 1;
        if (n % pass.groups() != 0 || groups > mean.rows()) {
            throw new IllegalArgumentException(gammaName + ": cannot split " + n + " rows into " + pass.groups() + " groups");
        }
        lastGroups = groups;
        Views v = views(n, groups);
        INDArray runMean = stats.value(meanName);
        INDArray runVar = stats.value(varName);
        float perInv = 1f / v.per;
        if (pass.training()) {
            v.columnSums(v.x, v.mean);
            v.mean.muli(perInv);
        } else {
            v.mean.assign(runMean);
        }
        // work = x - mean, kept for the backward pass.
        for (int g = 0; g < groups; g++) {
            Nd4j.exec(new BroadcastSubOp(v.x[g], v.mean.getRow(g), v.work[g], 1));
        }
        if (pass.training()) {
            // Two passes, as the variance of centred values does not cancel catastrophically.
            INDArray centred = work.matrix(n);
            centred.mul(centred, y.matrix(n));
            v.columnSums(v.y, v.var);
            v.var.muli(perInv);
            // Running statistics as one product each: folding group after group in turn is
            // s <- (1 - m)^G s + sum over g of m (1 - m)^(G - 1 - g) stat[g].
            Nd4j.gemm(v.meanWeights, v.mean, runMean.reshape(1, channels), false, false, 1.0, v.keep);
            Nd4j.gemm(v.varWeights, v.var, runVar.reshape(1, channels), false, false, 1.0, v.keep);
        } else {
            v.var.assign(runVar);
        }
        // y = act((x - mean) * scale + beta) with scale = gamma / sqrt(var + eps).
        v.var.add(EPS, v.invStd);
        Transforms.sqrt(v.invStd, false).rdivi(1f);
        Nd4j.exec(new BroadcastMulOp(v.invStd, params.value(gammaName), v.scale, 1));
        for (int g = 0; g < groups; g++) {
            Nd4j.exec(new BroadcastMulOp(v.work[g], v.scale.getRow(g), v.y[g], 1));
        }
        INDArray yPixels = y.pixels(n);
        Nd4j.exec(new BroadcastAddOp(yPixels, params.value(betaName), yPixels, 1));
        activate(y.matrix(n), n);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        int groups = lastGroups;
        Views v = views(n, groups);
        // dL/dz (z = the normalised, affine value) = dy * act'(y), kept in gradIn.
        INDArray dz = gradIn.matrix(n);
        dz.assign(gradOut.matrix(n));
        activationGradient(y.matrix(n), dz, n);
        // Per group and channel: sum(dz) and sum(dz * xhat) = sum(dz * (x - mean)) / sigma.
        work.matrix(n).muli(dz);
        v.columnSums(v.gradIn, v.sumDz);
        v.columnSums(v.work, v.sumDzXhat);
        INDArray sumDzXhat = v.sumDzXhat.muli(v.invStd);
        if (grads.params()) {
            sumDzXhat.sum(params.grad(gammaName), 0);
            v.sumDz.sum(params.grad(betaName), 0);
        }
        if (grads.input()) {
            // dx = gamma / sigma * (dz - mean(dz) - xhat * mean(dz * xhat)); with xhat = (x - mean) / sigma
            // that is dz * scale + x * a + b per channel: three broadcasts and one add over the batch.
            float perInv = 1f / v.per;
            Nd4j.exec(new BroadcastMulOp(v.invStd, params.value(gammaName), v.scale, 1));
            // a = -scale / sigma * mean(dz * xhat), in place of sumDzXhat; b = -scale * mean(dz) - a * mean, in place of sumDz.
            INDArray a = sumDzXhat.muli(v.scale).muli(v.invStd).muli(-perInv);
            INDArray b = v.sumDz.muli(v.scale).muli(-perInv).subi(v.mean.mul(a, v.var));
            for (int g = 0; g < groups; g++) {
                Nd4j.exec(new BroadcastMulOp(v.gradIn[g], v.scale.getRow(g), v.gradIn[g], 1));
                Nd4j.exec(new BroadcastMulOp(v.x[g], a.getRow(g), v.work[g], 1));
                v.gradIn[g].addi(v.work[g]);
                Nd4j.exec(new BroadcastAddOp(v.gradIn[g], b.getRow(g), v.gradIn[g], 1));
            }
        }
        return gradIn;
    }

    private void activate(INDArray yv, int n) {
        act.forward(yv, scratch == null ? null : scratch.matrix(n));
    }

    private void activationGradient(INDArray yv, INDArray g, int n) {
        act.backward(yv, g, scratch == null ? null : scratch.matrix(n));
    }

    /** Views of the input and the layer's buffers for n rows in g groups, built once per (n, g). */
    private Views views(int n, int groups) {
        if (n % groups != 0) {
            throw new IllegalArgumentException(gammaName + ": cannot split " + n + " rows into " + groups + " groups");
        }
        long key = (long) n * 1024 + groups;
        Views v = views.get(key);
        if (v == null || v.source != x) {
            v = new Views(x, n, groups);
            views.put(key, v);
        }
        return v;
    }

    private final class Views {
        final Tensor source;
        final long per;
        final INDArray[] x;
        final INDArray[] y;
        final INDArray[] gradIn;
        final INDArray[] work;
        final INDArray mean;
        final INDArray var;
        final INDArray invStd;
        final INDArray scale;
        final INDArray sumDz;
        final INDArray sumDzXhat;
        /** [1, groups] weights of each group's mean and variance in the running statistics, and the share kept. */
        final INDArray meanWeights;
        final INDArray varWeights;
        final double keep;

        Views(Tensor source, int n, int groups) {
            this.source = source;
            this.per = (long) (n / groups) * spatial;
            this.x = perGroup(source, n, groups);
            this.y = perGroup(BatchNormAct.this.y, n, groups);
            this.gradIn = perGroup(BatchNormAct.this.gradIn, n, groups);
            this.work = perGroup(BatchNormAct.this.work, n, groups);
            this.mean = firstRows(BatchNormAct.this.mean, groups);
            this.var = firstRows(BatchNormAct.this.var, groups);
            this.invStd = firstRows(BatchNormAct.this.invStd, groups);
            this.scale = firstRows(BatchNormAct.this.scale, groups);
            this.sumDz = firstRows(BatchNormAct.this.sumDz, groups);
            this.sumDzXhat = firstRows(BatchNormAct.this.sumDzXhat, groups);
            double unbias = per > 1 ? (double) per / (per - 1) : 1.0;
            this.meanWeights = Nd4j.create(DataType.FLOAT, 1, groups);
            this.varWeights = Nd4j.create(DataType.FLOAT, 1, groups);
            for (int g = 0; g < groups; g++) {
                double w = MOMENTUM * Math.pow(1 - MOMENTUM, groups - 1 - g);
                meanWeights.getColumn(g).assign(w);
                varWeights.getColumn(g).assign(w * unbias);
            }
            this.keep = Math.pow(1 - MOMENTUM, groups);
        }

        /**
         * out[g, :] = the column sums of parts[g], a [pixels, C] matrix. A reduction over axis 0
         * sums each column on one thread, so the result does not depend on the thread count; a
         * product with a row of ones was about four times faster but splits the sum across
         * threads (and reductions over the middle axis of [groups, pixels, C] were slower still).
         */
        void columnSums(INDArray[] parts, INDArray out) {
            for (int g = 0; g < parts.length; g++) {
                parts[g].sum(out.getRow(g), 0);
            }
        }

        private INDArray[] perGroup(Tensor t, int n, int groups) {
            INDArray pixels = t.rows(n).reshape('c', (long) n * spatial, channels);
            INDArray[] out = new INDArray[groups];
            for (int g = 0; g < groups; g++) {
                out[g] = groups == 1 ? pixels : pixels.get(NDArrayIndex.interval(g * per, (g + 1) * per), NDArrayIndex.all());
            }
            return out;
        }

        private INDArray firstRows(INDArray a, int groups) {
            return groups == a.rows() ? a : a.get(NDArrayIndex.interval(0, groups), NDArrayIndex.all());
        }
    }
}
