package io.atelier.common.families.stylegan;

import io.atelier.common.nn.EqualizedConv2d;
import io.atelier.common.nn.EqualizedDense;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.MinibatchStd;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Pointwise;
import io.atelier.common.nn.Tensor;

/**
 * StyleGAN2's residual discriminator over one {@link Params}: fromRGB (1x1), then per halving a
 * block (3x3, 3x3 stride 2, plus a 1x1 stride-2 skip without bias, summed times sqrt(1/2)), then
 * at 4x4 minibatch std (group 4), a 3x3 convolution, a dense layer and the logit. NVlabs filters
 * with [1,3,3,1] before each downsampling; here the strided convolutions downsample directly.
 * Not thread-safe.
 */
final class StyleDiscriminator {
    private static final float RESIDUAL_GAIN = (float) Math.sqrt(0.5);

    private final Params params;
    private final Tensor input;
    private final EqualizedConv2d fromRgb;
    private final EqualizedConv2d[] conv0;
    private final EqualizedConv2d[] conv1;
    private final EqualizedConv2d[] skip;
    private final Tensor[] sums;
    private final Tensor[] gSums;
    private final Tensor[] gIns;
    private final MinibatchStd mbstd;
    private final EqualizedConv2d outConv;
    private final EqualizedDense fc;
    private final EqualizedDense logit;

    StyleDiscriminator(StyleGanArchitecture arch, Params params, int maxRows) {
        this.params = params;
        int s = arch.imageSize();
        int w = arch.width();
        this.input = new Tensor(maxRows, s, s, arch.channels());
        this.fromRgb = new EqualizedConv2d(params, "d.fromrgb", arch.channels(), w, 1, 1, 0, true, true, s, s, maxRows);
        int blocks = arch.blocks() - 1;
        this.conv0 = new EqualizedConv2d[blocks];
        this.conv1 = new EqualizedConv2d[blocks];
        this.skip = new EqualizedConv2d[blocks];
        this.sums = new Tensor[blocks];
        this.gSums = new Tensor[blocks];
        this.gIns = new Tensor[blocks];
        for (int i = 0; i < blocks; i++) {
            int side = s >> i;
            String p = "d.b" + side;
            conv0[i] = new EqualizedConv2d(params, p + ".conv0", w, w, 3, 1, 1, true, true, side, side, maxRows);
            conv1[i] = new EqualizedConv2d(params, p + ".conv1", w, w, 3, 2, 1, true, true, side, side, maxRows);
            skip[i] = new EqualizedConv2d(params, p + ".skip", w, w, 1, 2, 0, false, false, side, side, maxRows);
            sums[i] = new Tensor(maxRows, side / 2, side / 2, w);
            gSums[i] = new Tensor(maxRows, side / 2, side / 2, w);
            gIns[i] = new Tensor(maxRows, side, side, w);
        }
        this.mbstd = new MinibatchStd(StyleGanArchitecture.MBSTD_GROUP, 4, 4, w, maxRows);
        this.outConv = new EqualizedConv2d(params, "d.out.conv", w + 1, w, 3, 1, 1, true, true, 4, 4, maxRows);
        this.fc = new EqualizedDense(params, "d.out.fc", 16 * w, w, 1.0, true, maxRows);
        this.logit = new EqualizedDense(params, "d.out.logit", w, 1, 1.0, false, maxRows);
    }

    /** Holds (or releases) every rectifier's slopes at the last forward pass (R1's shifted passes). */
    void freezeActivations(boolean frozen) {
        fromRgb.freezeActivation(frozen);
        for (int i = 0; i < conv0.length; i++) {
            conv0[i].freezeActivation(frozen);
            conv1[i].freezeActivation(frozen);
        }
        outConv.freezeActivation(frozen);
        fc.freezeActivation(frozen);
    }

    Params params() {
        return params;
    }

    /** Images to judge, NHWC [maxRows, S, S, C]. */
    Tensor input() {
        return input;
    }

    /** Logits [n, 1] of rows [0, n) of {@link #input()}; the minibatch std groups are within these n rows. */
    Tensor forward(int n) {
        return forward(input, n);
    }

    Tensor forward(Tensor images, int n) {
        Tensor x = fromRgb.forward(images, n, Layer.Pass.TRAIN);
        for (int i = 0; i < conv0.length; i++) {
            Tensor main = conv1[i].forward(conv0[i].forward(x, n, Layer.Pass.TRAIN), n, Layer.Pass.TRAIN);
            Tensor side = skip[i].forward(x, n, Layer.Pass.TRAIN);
            Pointwise.add(main, side, sums[i], n).matrix(n).muli(RESIDUAL_GAIN);
            x = sums[i];
        }
        x = outConv.forward(mbstd.forward(x, n, Layer.Pass.TRAIN), n, Layer.Pass.TRAIN);
        return logit.forward(fc.forward(x, n, Layer.Pass.TRAIN), n, Layer.Pass.TRAIN);
    }

    /**
     * Backward from dL/dlogits: parameter gradients when {@code grads.params()}, and returns dL/dimages
     * when {@code grads.input()} (null otherwise).
     */
    Tensor backward(Tensor gradLogits, int n, Layer.Grads grads) {
        Layer.Grads inner = grads.params() ? Layer.Grads.ALL : Layer.Grads.INPUT;
        Tensor g = logit.backward(gradLogits, n, inner);
        g = fc.backward(g, n, inner);
        g = mbstd.backward(outConv.backward(g, n, inner), n, inner);
        for (int i = conv0.length - 1; i >= 0; i--) {
            gSums[i].matrix(n).assign(g.matrix(n)).muli(RESIDUAL_GAIN);
            Tensor gMain = conv0[i].backward(conv1[i].backward(gSums[i], n, inner), n, inner);
            Tensor gSide = skip[i].backward(gSums[i], n, inner);
            g = Pointwise.add(gMain, gSide, gIns[i], n);
        }
        Tensor gx = fromRgb.backward(g, n, grads);
        return grads.input() ? gx : null;
    }
}
