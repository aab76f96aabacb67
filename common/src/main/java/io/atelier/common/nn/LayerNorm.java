package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Layer normalisation over the last axis of every position of a row (each token of [T, D]):
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, the biased variance as PyTorch's.
 * Backward: {@code dx = rstd (g' - mean(g') - xhat mean(g' xhat))} with {@code g' = g * weight}.
 * All as ND4J reductions and broadcasting ops over the [positions, D] matrix.
 */
public final class LayerNorm implements Layer {
    public static final double EPS = 1e-5;

    private final long[] shape;
    private final INDArray weight;
    private final INDArray bias;
    private final INDArray gWeight;
    private final INDArray gBias;
    private final Tensor xhat;
    private final Tensor y;
    private final Tensor tmp;
    private final Tensor gxhat;
    private final Tensor gradIn;
    private final Tensor mean;
    private final Tensor rstd;
    private final Tensor m1;
    private final Tensor m2;

    public static void register(ParamLayout.Builder layout, String name, int d) {
        layout.add(name + ".weight", ParamLayout.Init.ONE, 0, d);
        layout.add(name + ".bias", ParamLayout.Init.ZERO, 0, d);
    }

    /** Over rows of {@code shape}, normalising its last axis. */
    public LayerNorm(Params params, String name, int maxRows, long... shape) {
        this.shape = shape.clone();
        this.weight = params.value(name + ".weight");
        this.bias = params.value(name + ".bias");
        this.gWeight = params.grad(name + ".weight");
        this.gBias = params.grad(name + ".bias");
        long[] stats = shape.clone();
        stats[stats.length - 1] = 1;
        this.xhat = new Tensor(maxRows, shape);
        this.y = new Tensor(maxRows, shape);
        this.tmp = new Tensor(maxRows, shape);
        this.gxhat = new Tensor(maxRows, shape);
        this.gradIn = new Tensor(maxRows, shape);
        this.mean = new Tensor(maxRows, stats);
        this.rstd = new Tensor(maxRows, stats);
        this.m1 = new Tensor(maxRows, stats);
        this.m2 = new Tensor(maxRows, stats);
    }

    @Override
    public long[] outShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != y.rowSize()) {
            throw new IllegalArgumentException("layer norm: input rows have " + in.rowSize() + " values, expected " + y.rowSize());
        }
        INDArray x = in.pixels(n);
        INDArray xh = xhat.pixels(n);
        INDArray s = rstd.pixels(n);
        rowMean(x, mean.pixels(n));
        broadcast("subtract", x, mean.pixels(n), xh);
        broadcast("multiply", xh, xh, tmp.pixels(n));
        rowMean(tmp.pixels(n), s);
        s.addi(EPS);
        Transforms.sqrt(s, false);
        s.rdivi(1.0);
        broadcast("multiply", xh, s, xh);
        broadcast("multiply", xh, weight, y.pixels(n));
        broadcast("add", y.pixels(n), bias, y.pixels(n));
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        INDArray g = gradOut.pixels(n);
        INDArray xh = xhat.pixels(n);
        INDArray t = tmp.pixels(n);
        if (grads.params()) {
            g.sum(gBias, 0);
            broadcast("multiply", g, xh, t);
            t.sum(gWeight, 0);
        }
        if (!grads.input()) {
            return null;
        }
        INDArray gh = gxhat.pixels(n);
        INDArray gx = gradIn.pixels(n);
        broadcast("multiply", g, weight, gh);
        rowMean(gh, m1.pixels(n));
        broadcast("multiply", gh, xh, t);
        rowMean(t, m2.pixels(n));
        broadcast("multiply", xh, m2.pixels(n), t);
        Nd4j.exec(new SubOp(gh, t, gx));
        broadcast("subtract", gx, m1.pixels(n), gx);
        broadcast("multiply", gx, rstd.pixels(n), gx);
        return gradIn;
    }

    /** out [N, 1] = the mean of each row of x [N, D]. */
    private static void rowMean(INDArray x, INDArray out) {
        Nd4j.exec(DynamicCustomOp.builder("reduce_mean").addInputs(x).addOutputs(out)
                .addIntegerArguments(1).addBooleanArguments(true).build());
    }

    /** out = a (op) b with b broadcast to a's shape. */
    static void broadcast(String op, INDArray a, INDArray b, INDArray out) {
        Nd4j.exec(DynamicCustomOp.builder(op).addInputs(a, b).addOutputs(out).build());
    }
}
