package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
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
 * A batch of n rows is seen as [groups, pixels per group, C]: statistics are reductions over the
 * middle axis (one op for all groups), and the per-channel scale and shift are row-vector
 * broadcasts over each group's [pixels, C] matrix, whose rows are contiguous.
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
    /** Backward scratch: the normalised input, then its product with dL/dz. */
    private final Tensor work;
    /** Per-group [maxGroups, C] statistics and coefficients; a pass with g groups uses the first g rows. */
    private final INDArray mean;
    private final INDArray var;
    private final INDArray invStd;
    private final INDArray scale;
    private final INDArray shift;
    private final INDArray sumDz;
    private final INDArray sumDzXhat;
    private final INDArray channelTmp;
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
        this.mean = groupArray(maxGroups);
        this.var = groupArray(maxGroups);
        this.invStd = groupArray(maxGroups);
        this.scale = groupArray(maxGroups);
        this.shift = groupArray(maxGroups);
        this.sumDz = groupArray(maxGroups);
        this.sumDzXhat = groupArray(maxGroups);
        this.channelTmp = Nd4j.create(DataType.FLOAT, new long[]{channels}, 'c');
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
        INDArray gamma = params.value(gammaName);
        INDArray beta = params.value(betaName);
        INDArray runMean = stats.value(meanName);
        INDArray runVar = stats.value(varName);
        if (pass.training()) {
            v.x3.mean(v.mean, 1);
            Nd4j.exec(new Variance(v.x3, v.var, false, 1));
            long count = (long) (n / groups) * spatial;
            float unbias = count > 1 ? (float) ((double) count / (count - 1)) : 1f;
            // Fold each group in turn, as separate passes over the groups would.
            for (int g = 0; g < groups; g++) {
                runMean.muli(1 - MOMENTUM).addi(v.mean.getRow(g).mul(MOMENTUM, channelTmp));
                runVar.muli(1 - MOMENTUM).addi(v.var.getRow(g).mul(MOMENTUM * unbias, channelTmp));
            }
        } else {
            v.mean.getRow(0).assign(runMean);
            v.var.getRow(0).assign(runVar);
        }
        // y = act(x * scale + shift) with scale = gamma / sqrt(var + eps), shift = beta - mean * scale.
        v.var.add(EPS, v.invStd);
        Transforms.sqrt(v.invStd, false).rdivi(1f);
        Nd4j.exec(new BroadcastMulOp(v.invStd, gamma, v.scale, 1));
        v.mean.mul(v.scale, v.shift).rsubiRowVector(beta);
        for (int g = 0; g < groups; g++) {
            Nd4j.exec(new BroadcastMulOp(v.x[g], v.scale.getRow(g), v.y[g], 1));
            Nd4j.exec(new BroadcastAddOp(v.y[g], v.shift.getRow(g), v.y[g], 1));
        }
        act.forward(y.matrix(n));
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        int groups = lastGroups;
        Views v = views(n, groups);
        // dL/dz (z = the normalised, affine value) = dy * act'(y), kept in gradIn.
        INDArray dz = gradIn.matrix(n);
        dz.assign(gradOut.matrix(n));
        act.backward(y.matrix(n), dz);
        // work = xhat * dz, xhat = (x - mean) / sigma recomputed rather than stored by forward.
        for (int g = 0; g < groups; g++) {
            Nd4j.exec(new BroadcastSubOp(v.x[g], v.mean.getRow(g), v.work[g], 1));
            Nd4j.exec(new BroadcastMulOp(v.work[g], v.invStd.getRow(g), v.work[g], 1));
        }
        work.matrix(n).muli(dz);
        v.dz3.sum(v.sumDz, 1);
        v.work3.sum(v.sumDzXhat, 1);
        if (grads.params()) {
            v.sumDzXhat.sum(params.grad(gammaName), 0);
            v.sumDz.sum(params.grad(betaName), 0);
        }
        if (grads.input()) {
            // dx = gamma / sigma * (dz - mean(dz) - xhat * mean(dz * xhat)); with xhat = (x - mean) / sigma
            // that is dz * scale + x * a + b per channel, three broadcasts and one add over the batch.
            float perInv = 1f / ((long) (n / groups) * spatial);
            INDArray gamma = params.value(gammaName);
            Nd4j.exec(new BroadcastMulOp(v.invStd, gamma, v.scale, 1));
            // a = -scale / sigma * mean(dz * xhat), into sumDzXhat; b = -scale * mean(dz) - a * mean, into sumDz.
            INDArray a = v.sumDzXhat.muli(v.scale).muli(v.invStd).muli(-perInv);
            INDArray b = v.sumDz.muli(v.scale).muli(-perInv).subi(v.mean.mul(a, v.shift));
            for (int g = 0; g < groups; g++) {
                Nd4j.exec(new BroadcastMulOp(v.gradIn[g], v.scale.getRow(g), v.gradIn[g], 1));
                Nd4j.exec(new BroadcastMulOp(v.x[g], a.getRow(g), v.work[g], 1));
                v.gradIn[g].addi(v.work[g]);
                Nd4j.exec(new BroadcastAddOp(v.gradIn[g], b.getRow(g), v.gradIn[g], 1));
            }
        }
        return gradIn;
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
        final INDArray x3;
        final INDArray dz3;
        final INDArray work3;
        final INDArray[] x;
        final INDArray[] y;
        final INDArray[] gradIn;
        final INDArray[] work;
        final INDArray mean;
        final INDArray var;
        final INDArray invStd;
        final INDArray scale;
        final INDArray shift;
        final INDArray sumDz;
        final INDArray sumDzXhat;

        Views(Tensor source, int n, int groups) {
            this.source = source;
            long per = (long) (n / groups) * spatial;
            this.x3 = source.rows(n).reshape('c', groups, per, channels);
            this.dz3 = BatchNormAct.this.gradIn.rows(n).reshape('c', groups, per, channels);
            this.work3 = BatchNormAct.this.work.rows(n).reshape('c', groups, per, channels);
            this.x = perGroup(source, n, groups, per);
            this.y = perGroup(BatchNormAct.this.y, n, groups, per);
            this.gradIn = perGroup(BatchNormAct.this.gradIn, n, groups, per);
            this.work = perGroup(BatchNormAct.this.work, n, groups, per);
            this.mean = firstRows(BatchNormAct.this.mean, groups);
            this.var = firstRows(BatchNormAct.this.var, groups);
            this.invStd = firstRows(BatchNormAct.this.invStd, groups);
            this.scale = firstRows(BatchNormAct.this.scale, groups);
            this.shift = firstRows(BatchNormAct.this.shift, groups);
            this.sumDz = firstRows(BatchNormAct.this.sumDz, groups);
            this.sumDzXhat = firstRows(BatchNormAct.this.sumDzXhat, groups);
        }

        private INDArray[] perGroup(Tensor t, int n, int groups, long per) {
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
