package io.atelier.common.families.stylegan;

import io.atelier.common.nn.EqualizedDense;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.ModulatedConv2d;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Pointwise;
import io.atelier.common.nn.Tensor;
import io.atelier.common.nn.Upsample2x;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * StyleGAN2's generator over one {@link Params}: the mapping network (z normalised to unit second
 * moment, then equalised dense layers with lr multiplier 0.01 and scaled leaky ReLU) and the skip
 * synthesis network with one w input per style layer ({@link #wInput}), so that style mixing and
 * truncation are the caller's choice of what goes into each. The mapping runs on up to twice the
 * image rows (two w's per image for style mixing). Not thread-safe.
 */
final class StyleGenerator {
    private final StyleGanArchitecture arch;
    private final Params params;
    private final int maxRows;
    private final int width;
    private final EqualizedDense[] mapping;
    private final Tensor z;
    private final Tensor zNormed;
    private final Tensor[] wIn;
    private final Tensor[] wGrad;
    /** Per block: conv0 (null at 4x4), conv1, toRGB, and the upsamplers of x and of the image. */
    private final ModulatedConv2d[] conv0;
    private final ModulatedConv2d[] conv1;
    private final ModulatedConv2d[] toRgb;
    private final Upsample2x[] upX;
    private final Upsample2x[] upImg;
    private final Tensor[] noise0;
    private final Tensor[] noise1;
    private final Tensor[] images;
    private final Tensor constRows;
    private final INDArray constValue;
    private final INDArray constGrad;

    StyleGenerator(StyleGanArchitecture arch, Params params, int maxRows) {
        this.arch = arch;
        this.params = params;
        this.maxRows = maxRows;
        this.width = arch.width();
        int d = arch.latentDim();
        this.mapping = new EqualizedDense[arch.mappingLayers()];
        for (int i = 0; i < mapping.length; i++) {
            mapping[i] = new EqualizedDense(params, "map.fc" + i, d, d, StyleGanArchitecture.MAPPING_LR_MUL, true, 2 * maxRows);
        }
        this.z = new Tensor(2L * maxRows, d);
        this.zNormed = new Tensor(2L * maxRows, d);
        this.wIn = new Tensor[arch.numWs()];
        this.wGrad = new Tensor[arch.numWs()];
        for (int l = 0; l < wIn.length; l++) {
            wIn[l] = new Tensor(maxRows, d);
            wGrad[l] = new Tensor(maxRows, d);
        }
        int blocks = arch.blocks();
        this.conv0 = new ModulatedConv2d[blocks];
        this.conv1 = new ModulatedConv2d[blocks];
        this.toRgb = new ModulatedConv2d[blocks];
        this.upX = new Upsample2x[blocks];
        this.upImg = new Upsample2x[blocks];
        this.noise0 = new Tensor[blocks];
        this.noise1 = new Tensor[blocks];
        this.images = new Tensor[blocks];
        int c = arch.channels();
        for (int b = 0; b < blocks; b++) {
            int s = StyleGanArchitecture.side(b);
            String p = "syn.b" + s;
            if (b > 0) {
                upX[b] = new Upsample2x(s / 2, s / 2, width, maxRows);
                upImg[b] = new Upsample2x(s / 2, s / 2, c, maxRows);
                conv0[b] = new ModulatedConv2d(params, p + ".conv0", d, width, width, 3, true, true, true, s, s, maxRows);
                noise0[b] = new Tensor(maxRows, s, s, 1);
                images[b] = new Tensor(maxRows, s, s, c);
            }
            conv1[b] = new ModulatedConv2d(params, p + ".conv1", d, width, width, 3, true, true, true, s, s, maxRows);
            noise1[b] = new Tensor(maxRows, s, s, 1);
            toRgb[b] = new ModulatedConv2d(params, p + ".torgb", d, width, c, 1, false, false, false, s, s, maxRows);
        }
        this.constRows = new Tensor(maxRows, 4, 4, width);
        this.constValue = params.value("syn.const");
        this.constGrad = params.grad("syn.const");
    }

    Params params() {
        return params;
    }

    /**
     * Holds (or releases) the synthesis rectifiers' slopes at the last {@link #synthesize} (the
     * path-length penalty's shifted passes); the mapping network is not run in between.
     */
    void freezeActivations(boolean frozen) {
        for (int b = 0; b < arch.blocks(); b++) {
            if (conv0[b] != null) {
                conv0[b].freezeActivation(frozen);
            }
            conv1[b].freezeActivation(frozen);
        }
    }

    int maxRows() {
        return maxRows;
    }

    /** The mapping network's input, [2 * maxRows, latentDim]. */
    Tensor z() {
        return z;
    }

    /** w of {@code rows} rows of {@link #z()}: normalise, then the dense layers. */
    Tensor map(int rows) {
        INDArray zm = z.matrix(rows);
        INDArray norm = Transforms.pow(zm.mul(zm).mean(1).addi(1e-8), -0.5, false).reshape(rows, 1);
        Nd4j.exec(new MulOp(zm, norm, zNormed.matrix(rows)));
        Tensor h = zNormed;
        for (EqualizedDense fc : mapping) {
            h = fc.forward(h, rows, Layer.Pass.TRAIN);
        }
        return h;
    }

    /** The mapping network's parameter gradients from dL/dw of the last {@link #map} (z gets none). */
    void mapBackward(Tensor gradW, int rows) {
        Tensor g = gradW;
        for (int i = mapping.length - 1; i >= 0; i--) {
            g = mapping[i].backward(g, rows, i == 0 ? Layer.Grads.PARAMS : Layer.Grads.ALL);
        }
    }

    /** The w of style layer l, [maxRows, latentDim]; the caller fills rows [0, n) before {@link #synthesize}. */
    Tensor wInput(int l) {
        return wIn[l];
    }

    /** dL/dw of style layer l after {@link #synthesisBackward}. */
    Tensor wGrad(int l) {
        return wGrad[l];
    }

    /** The per-pixel noise maps, [maxRows, side, side, 1] each, in layer order (4x4 conv1, 8x8 conv0, 8x8 conv1, ...). */
    Tensor[] noiseInputs() {
        Tensor[] out = new Tensor[2 * arch.blocks() - 1];
        int i = 0;
        for (int b = 0; b < arch.blocks(); b++) {
            if (b > 0) {
                out[i++] = noise0[b];
            }
            out[i++] = noise1[b];
        }
        return out;
    }

    /** dL/dnoise of each map of {@link #noiseInputs()}, same order and shapes, after {@link #synthesisBackward}. */
    Tensor[] noiseGrads() {
        Tensor[] out = new Tensor[2 * arch.blocks() - 1];
        int i = 0;
        for (int b = 0; b < arch.blocks(); b++) {
            if (b > 0) {
                out[i++] = conv0[b].gradNoise();
            }
            out[i++] = conv1[b].gradNoise();
        }
        return out;
    }

    /** Images [n, S, S, C] from the w inputs and noise maps, in [-1, 1] once trained (no output squashing, as NVlabs). */
    Tensor synthesize(int n) {
        INDArray x0 = constRows.rows(n);
        x0.assign(0);
        Nd4j.exec(new AddOp(x0, constValue.reshape(1, 4, 4, width), x0));
        Tensor x = conv1[0].forward(constRows, wIn[0], noise1[0], n);
        Tensor img = toRgb[0].forward(x, wIn[1], null, n);
        int w = 1;
        for (int b = 1; b < arch.blocks(); b++) {
            Tensor up = upX[b].forward(x, n, Layer.Pass.TRAIN);
            x = conv0[b].forward(up, wIn[w], noise0[b], n);
            x = conv1[b].forward(x, wIn[w + 1], noise1[b], n);
            Tensor rgb = toRgb[b].forward(x, wIn[w + 2], null, n);
            Pointwise.add(upImg[b].forward(img, n, Layer.Pass.TRAIN), rgb, images[b], n);
            img = images[b];
            w += 2;
        }
        return img;
    }

    /**
     * Parameter gradients of the synthesis network and dL/dw per style layer, from dL/dimage.
     * Block b >= 1 reads w 2b-1 (conv0), 2b (conv1) and 2b+1 (toRGB); block 0 reads w 0 and 1. Going
     * backwards, a toRGB's w was first written by the next block's conv0, so it adds to it.
     */
    void synthesisBackward(Tensor gradImage, int n) {
        Tensor gImg = gradImage;
        Tensor gxNext = null;
        int last = arch.blocks() - 1;
        for (int b = last; b >= 0; b--) {
            Tensor gx = toRgb[b].backward(gImg, n);
            setW(b == 0 ? 1 : 2 * b + 1, toRgb[b], n, b != last);
            if (gxNext != null) {
                Pointwise.add(gx, gxNext, gx, n);
            }
            gx = conv1[b].backward(gx, n);
            setW(b == 0 ? 0 : 2 * b, conv1[b], n, false);
            if (b > 0) {
                gx = conv0[b].backward(gx, n);
                setW(2 * b - 1, conv0[b], n, false);
                gxNext = upX[b].backward(gx, n, Layer.Grads.INPUT);
                gImg = upImg[b].backward(gImg, n, Layer.Grads.INPUT);
            } else {
                gx.rows(n).sum(constGrad, 0);
            }
        }
    }

    /** wGrad[l] = (or, with add, +=) the layer's dL/dw. */
    private void setW(int l, ModulatedConv2d layer, int n, boolean add) {
        if (add) {
            wGrad[l].matrix(n).addi(layer.gradW().matrix(n));
        } else {
            wGrad[l].matrix(n).assign(layer.gradW().matrix(n));
        }
    }
}
