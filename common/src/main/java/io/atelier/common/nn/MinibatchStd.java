package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * StyleGAN's minibatch standard deviation layer on NHWC rows [H, W, C] -> [H, W, C + 1], as NVlabs
 * defines it with one statistic channel: the n rows split into G = min(group, n) groups of
 * M = n / G (row i is member i / M of column i mod M); for each column, the standard deviation
 * over its G members of every value, averaged over the values, becomes one extra channel of every
 * pixel of that column's rows. It lets the discriminator see a batch's lack of variety.
 */
public final class MinibatchStd implements Layer {
    private static final double EPS = 1e-8;

    private final int group;
    private final int pixels;
    private final int channels;
    private final int values;
    private final Tensor y;
    private final Tensor gradIn;
    private final Tensor dev;
    private INDArray sd;
    private int lastGroups;
    private int lastColumns;

    public MinibatchStd(int group, int h, int w, int c, int maxRows) {
        if (group < 1) {
            throw new IllegalArgumentException("minibatch std group must be >= 1, got " + group);
        }
        this.group = group;
        this.pixels = h * w;
        this.channels = c;
        this.values = h * w * c;
        this.y = new Tensor(maxRows, h, w, c + 1);
        this.gradIn = new Tensor(maxRows, h, w, c);
        this.dev = new Tensor(maxRows, h, w, c);
    }

    /** The group size for n rows; n must be a multiple of it. */
    public int groupFor(int n) {
        int g = Math.min(group, n);
        if (n % g != 0) {
            throw new IllegalArgumentException("minibatch std groups of " + g + " do not divide a batch of " + n
                    + "; use a batch that is a multiple of " + g);
        }
        return g;
    }

    @Override
    public long[] outShape() {
        return y.rowShape();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != values) {
            throw new IllegalArgumentException("minibatch std: input rows have " + in.rowSize() + " values, expected " + values);
        }
        int g = groupFor(n);
        int m = n / g;
        lastGroups = g;
        lastColumns = m;
        INDArray xv = in.rows(n).reshape('c', g, m, values);
        INDArray mean = xv.mean(0).reshape(1, m, values);
        INDArray d = dev.rows(n).reshape('c', g, m, values);
        Nd4j.exec(new SubOp(xv, mean, d));
        sd = Transforms.sqrt(d.mul(d).mean(0).addi(EPS), false);
        INDArray stat = sd.mean(1).reshape(1, m, 1);
        INDArray out = y.rows(n, pixels, channels + 1);
        out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, channels)).assign(in.rows(n, pixels, channels));
        INDArray extra = Nd4j.zeros(in.rows(n).dataType(), g, m, pixels);
        Nd4j.exec(new AddOp(extra, stat, extra));
        out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(channels)).assign(extra.reshape(n, pixels));
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        int g = lastGroups;
        int m = lastColumns;
        if (g * m != n) {
            throw new IllegalStateException("minibatch std: backward over " + n + " rows after a forward over " + g * m);
        }
        INDArray go = gradOut.rows(n, pixels, channels + 1);
        INDArray gx = gradIn.rows(n, pixels, channels);
        gx.assign(go.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, channels)));
        // d stat[m] / d x[g, m, j] = dev[g, m, j] / (G * values * sd[m, j]).
        INDArray gStat = go.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(channels)).dup('c')
                .reshape(g, m, pixels).sum(0, 2);
        INDArray coef = Transforms.pow(sd, -1, true).muli(1.0 / ((double) g * values));
        Nd4j.exec(new MulOp(coef, gStat.reshape(m, 1), coef));
        INDArray contribution = dev.rows(n).reshape('c', g, m, values).mul(coef.reshape(1, m, values));
        gradIn.rows(n).reshape('c', g, m, values).addi(contribution);
        return gradIn;
    }
}
