package io.atelier.common.nn;

import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The U-Net's residual block on NHWC rows [H, W, in] -> [H, W, out]:
 * {@code conv2(GN-SiLU(conv1(GN-SiLU(x)) + Dense(emb))) + skip(x)}, where emb (the activated
 * time/condition embedding, one row per image) is projected to one shift per channel and
 * {@code skip} is a 1x1 convolution when the widths differ, else the identity. The backward
 * pass adds the embedding's gradient into a caller-owned buffer, since every block reads the
 * same embedding. The shift and the sums are ND4J ops ([n, 1, C] broadcast over [n, H*W, C],
 * and its adjoint, a reduction over the pixel axis).
 */
public final class ResBlock {
    private final int pixels;
    private final int out;
    private final GroupNormAct norm1;
    private final Conv2d conv1;
    private final Dense embProj;
    private final GroupNormAct norm2;
    private final Conv2d conv2;
    private final Conv2d skip;
    private final Tensor y;
    private final Tensor gradIn;
    private final Tensor gradEmbShift;

    /** Registers the block's parameters under {@code name}; the last convolution starts small. */
    public static void register(ParamLayout.Builder layout, String name, int in, int out, int embDim) {
        GroupNormAct.register(layout, name + ".norm1", in);
        Conv2d.register(layout, name + ".conv1", false, in, out, 3, Math.sqrt(2.0 / (9 * in)));
        Dense.register(layout, name + ".emb", embDim, out, Math.sqrt(1.0 / embDim));
        GroupNormAct.register(layout, name + ".norm2", out);
        Conv2d.register(layout, name + ".conv2", false, out, out, 3, 0.1 * Math.sqrt(1.0 / (9 * out)));
        if (in != out) {
            Conv2d.register(layout, name + ".skip", false, in, out, 1, Math.sqrt(1.0 / in));
        }
    }

    public ResBlock(Params params, String name, int in, int out, int h, int w, int embDim, int groups, int maxRows) {
        this.pixels = h * w;
        this.out = out;
        this.norm1 = new GroupNormAct(params, name + ".norm1", Math.min(groups, in), true, maxRows, h, w, in);
        this.conv1 = new Conv2d(params, name + ".conv1", false, in, out, 3, 1, 1, h, w, maxRows);
        this.embProj = new Dense(params, name + ".emb", embDim, out, maxRows);
        this.norm2 = new GroupNormAct(params, name + ".norm2", Math.min(groups, out), true, maxRows, h, w, out);
        this.conv2 = new Conv2d(params, name + ".conv2", false, out, out, 3, 1, 1, h, w, maxRows);
        this.skip = in != out ? new Conv2d(params, name + ".skip", false, in, out, 1, 1, 0, h, w, maxRows) : null;
        this.y = new Tensor(maxRows, h, w, out);
        this.gradIn = new Tensor(maxRows, h, w, in);
        this.gradEmbShift = new Tensor(maxRows, out);
    }

    public long[] outShape() {
        return y.rowShape();
    }

    public Tensor forward(Tensor in, Tensor emb, int n) {
        Tensor h = conv1.forward(norm1.forward(in, n, Layer.Pass.TRAIN), n, Layer.Pass.TRAIN);
        Tensor shift = embProj.forward(emb, n, Layer.Pass.TRAIN);
        Nd4j.exec(new AddOp(h.rows(n, pixels, out), shift.rows(n, 1, out), h.rows(n, pixels, out)));
        Tensor main = conv2.forward(norm2.forward(h, n, Layer.Pass.TRAIN), n, Layer.Pass.TRAIN);
        Tensor side = skip != null ? skip.forward(in, n, Layer.Pass.TRAIN) : in;
        Nd4j.exec(new AddOp(main.matrix(n), side.matrix(n), y.matrix(n)));
        return y;
    }

    /** Returns the input gradient and adds the embedding's gradient into {@code gradEmb}. */
    public Tensor backward(Tensor gradOut, int n, Tensor gradEmb) {
        Tensor gh = norm2.backward(conv2.backward(gradOut, n, Layer.Grads.ALL), n, Layer.Grads.ALL);
        gh.rows(n, pixels, out).sum(gradEmbShift.matrix(n), 1);
        Tensor ge = embProj.backward(gradEmbShift, n, Layer.Grads.ALL);
        Nd4j.exec(new AddOp(gradEmb.matrix(n), ge.matrix(n), gradEmb.matrix(n)));
        Tensor gMain = norm1.backward(conv1.backward(gh, n, Layer.Grads.ALL), n, Layer.Grads.ALL);
        Tensor gSide = skip != null ? skip.backward(gradOut, n, Layer.Grads.ALL) : gradOut;
        Nd4j.exec(new AddOp(gMain.matrix(n), gSide.matrix(n), gradIn.matrix(n)));
        return gradIn;
    }
}
