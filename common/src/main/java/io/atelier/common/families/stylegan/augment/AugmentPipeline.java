package io.atelier.common.families.stylegan.augment;

import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The ADA pipeline on NHWC image batches in [-1, 1] over preallocated buffers: {@link #apply}
 * draws each image's augmentation from a seed ({@link AugmentDraws}) and runs it as ops,
 * {@link #backward} returns the gradient of the input so the generator learns through the
 * augmentation of its fakes.
 *
 * <p>Geometry: every image's blit and geom transforms compose into one map from output pixel
 * to source point, sampled bilinearly with the borders reflected (..., 2, 1, 0, 1, 2, ...). The
 * source coordinate is folded into [0, size - 1] by a triangle wave first, which gives the same
 * weights as reflecting the four neighbours, and the bilinear weights of output pixel o then
 * factor into a row part {@code Wy[o, y] = max(0, 1 - |sy(o) - y|)} and a column part {@code Wx[o, x]}.
 * So the resample is two dense products per image, {@code U = Wy x} (a batched matmul over
 * [H*W, H] x [H, C*W]) and a weighted sum over x, and its adjoint is the transposed product:
 * no gather, no scatter (the backend's {@code scatter_add} must run single-threaded to be
 * deterministic where neighbours repeat, and took about ten times the gather's time; see docs/ada.md).
 *
 * <p>Colour: one [C, C] matrix and offset per image (RGB: the 3x3 block of NVlabs' 4x4 matrix;
 * grey: its reduction, with hue and saturation left out as NVlabs does), a batched matmul and a
 * broadcast add.
 *
 * <p>Where no image of the batch moves (or recolours), that stage is skipped; at p = 0 the output
 * is a copy of the input, bit for bit. Where it runs, blit-only maps land on whole pixels and
 * copy them exactly too (weights 1 and 0).
 */
public final class AugmentPipeline {
    private final EnumSet<Transform> enabled;
    private final int maxRows;
    private final int h;
    private final int w;
    private final int c;
    private final int hw;
    /** Rows x, y, 1 of every output pixel, [3, H*W]. */
    private final INDArray grid;
    private final INDArray iotaX;
    private final INDArray iotaY;
    private final Tensor mapX;
    private final Tensor mapY;
    private final Tensor srcX;
    private final Tensor srcY;
    private final Tensor fold;
    private final Tensor wx;
    private final Tensor wy;
    /** The input with each image row's pixels ordered [C, W]: [n, H, C*W]. */
    private final Tensor planar;
    /** Wy times the input: [n, H*W, C*W]; in backward, Wx times the gradient. */
    private final Tensor u;
    private final Tensor resampled;
    private final Tensor colourMatrix;
    private final Tensor colourOffset;
    private final Tensor out;
    private final Tensor gradResampled;
    private final Tensor gradPlanar;
    private final Tensor gradIn;
    private final Views[] views;
    private int lastRows;
    private boolean moved;
    private boolean recoloured;

    /** The full {@code bgc} pipeline for up to maxRows images of h x w x c (c = 1 or 3). */
    public AugmentPipeline(int maxRows, int h, int w, int c) {
        this(maxRows, h, w, c, Transform.all());
    }

    public AugmentPipeline(int maxRows, int h, int w, int c, Set<Transform> enabled) {
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("ADA's colour transforms need 1 (grey) or 3 (RGB) channels, got " + c);
        }
        if (h < 2 || w < 2 || maxRows < 1) {
            throw new IllegalArgumentException("ADA needs images of at least 2x2 pixels and a batch of at least 1, got "
                    + maxRows + " of " + h + "x" + w);
        }
        this.enabled = enabled.isEmpty() ? EnumSet.noneOf(Transform.class) : EnumSet.copyOf(enabled);
        if (c == 1) {
            // As NVlabs: hue and saturation act only on colour images (on grey they are the identity).
            this.enabled.removeAll(EnumSet.of(Transform.HUE, Transform.SATURATION));
        }
        this.maxRows = maxRows;
        this.h = h;
        this.w = w;
        this.c = c;
        this.hw = h * w;
        float[] g = new float[3 * hw];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                g[y * w + x] = x;
                g[hw + y * w + x] = y;
                g[2 * hw + y * w + x] = 1;
            }
        }
        this.grid = HostArrays.of(g, 3, hw);
        this.iotaX = HostArrays.of(iota(w), 1, 1, w);
        this.iotaY = HostArrays.of(iota(h), 1, 1, h);
        this.mapX = new Tensor(maxRows, 3);
        this.mapY = new Tensor(maxRows, 3);
        this.srcX = new Tensor(maxRows, hw);
        this.srcY = new Tensor(maxRows, hw);
        this.fold = new Tensor(maxRows, hw);
        this.wx = new Tensor(maxRows, hw, w);
        this.wy = new Tensor(maxRows, hw, h);
        this.planar = new Tensor(maxRows, h, c * w);
        this.u = new Tensor(maxRows, hw, c * w);
        this.resampled = new Tensor(maxRows, h, w, c);
        this.colourMatrix = new Tensor(maxRows, c, c);
        this.colourOffset = new Tensor(maxRows, 1, c);
        this.out = new Tensor(maxRows, h, w, c);
        this.gradResampled = new Tensor(maxRows, h, w, c);
        this.gradPlanar = new Tensor(maxRows, h, c * w);
        this.gradIn = new Tensor(maxRows, h, w, c);
        this.views = new Views[maxRows + 1];
    }

    /** The transforms this pipeline draws (for grey images, without hue and saturation). */
    public Set<Transform> enabled() {
        return EnumSet.copyOf(enabled);
    }

    /**
     * Augments rows [0, n) of {@code imagesNhwc} with probability p per transform, drawn from
     * {@code seed} (derive it from the run's seeds, e.g. (seed, round, worker, step, purpose)),
     * and keeps what {@link #backward} needs. Returns a buffer the pipeline owns.
     */
    public Tensor apply(Tensor imagesNhwc, int n, double p, long seed) {
        return apply(imagesNhwc, n, AugmentDraws.draw(enabled, n, p, seed, h, w));
    }

    /** Augments rows [0, n) as {@code draws} says (n of them). */
    public Tensor apply(Tensor imagesNhwc, int n, AugmentDraws draws) {
        if (imagesNhwc.rowSize() != hw * c) {
            throw new IllegalArgumentException("ADA: input rows have " + imagesNhwc.rowSize() + " values, the pipeline was built for "
                    + h + "x" + w + "x" + c + " images");
        }
        if (draws.size() != n || n > maxRows) {
            throw new IllegalArgumentException("ADA: " + n + " images with draws for " + draws.size() + ", buffers for " + maxRows);
        }
        lastRows = n;
        moved = !draws.geometryIsIdentity();
        recoloured = !draws.colourIsIdentity();
        Tensor x = imagesNhwc;
        if (moved) {
            HostArrays.load(mapX.rows(n), draws.geometryRows(0));
            HostArrays.load(mapY.rows(n), draws.geometryRows(1));
            resample(x, n);
            x = resampled;
        }
        if (recoloured) {
            HostArrays.load(colourMatrix.rows(n), draws.colourMatrices(c));
            HostArrays.load(colourOffset.rows(n), draws.colourOffsets(c));
            INDArray pixels = out.rows(n, hw, c);
            Nd4j.exec(matmul(x.rows(n, hw, c), colourMatrix.rows(n), pixels, false, true));
            Nd4j.exec(views(n).colourShift);
        } else {
            out.rows(n).assign(x.rows(n, h, w, c));
        }
        return out;
    }

    /**
     * The gradient of the last {@link #apply}'s input given that of its output (rows [0, n),
     * the same n). Returns a buffer the pipeline owns.
     */
    public Tensor backward(Tensor gradOut, int n) {
        if (n != lastRows) {
            throw new IllegalArgumentException("ADA backward over " + n + " rows, the last apply had " + lastRows);
        }
        if (gradOut.rowSize() != hw * c) {
            throw new IllegalArgumentException("ADA backward: gradient rows have " + gradOut.rowSize() + " values, expected " + hw * c);
        }
        Tensor g = gradOut;
        if (recoloured) {
            Nd4j.exec(matmul(g.rows(n, hw, c), colourMatrix.rows(n), gradResampled.rows(n, hw, c), false, false));
            g = gradResampled;
        }
        if (moved) {
            unsample(g, n);
        } else {
            gradIn.rows(n).assign(g.rows(n, h, w, c));
        }
        return gradIn;
    }

    /** resampled = the bilinear, reflected resample of x at the maps in mapX, mapY. */
    private void resample(Tensor x, int n) {
        Views v = views(n);
        v.x.weights();
        v.y.weights();
        v.planar.assign(x.rows(n, h, w, c).permute(0, 1, 3, 2));
        Nd4j.exec(v.rowProduct);
        // out[o, ch] = sum over x of Wx[o, x] U[o, ch, x]: a broadcast product and a sum over the contiguous axis.
        Nd4j.exec(v.columnWeighting);
        v.products.sum(v.resampledPixels, 2);
    }

    /** gradIn = the adjoint of {@link #resample} applied to g. */
    private void unsample(Tensor g, int n) {
        Views v = views(n);
        Nd4j.exec(DynamicCustomOp.builder("multiply")
                .addInputs(g.rows(n).reshape('c', (long) n * hw, c, 1), v.columnWeights)
                .addOutputs(v.products).build());
        Nd4j.exec(v.rowProductTransposed);
        gradIn.rows(n).assign(v.gradPlanar);
    }

    private Views views(int n) {
        Views v = views[n];
        if (v == null) {
            v = new Views(n);
            views[n] = v;
        }
        return v;
    }

    /** The pipeline's own views and ops for a batch of n, cut and built once per batch size. */
    private final class Views {
        private final Axis x;
        private final Axis y;
        private final INDArray planar;
        private final INDArray products;
        private final INDArray columnWeights;
        private final INDArray resampledPixels;
        private final INDArray gradPlanar;
        private final DynamicCustomOp rowProduct;
        private final DynamicCustomOp rowProductTransposed;
        private final DynamicCustomOp columnWeighting;
        private final DynamicCustomOp colourShift;

        Views(int n) {
            this.x = new Axis(mapX, srcX, wx, iotaX, w, n);
            this.y = new Axis(mapY, srcY, wy, iotaY, h, n);
            this.planar = planar(AugmentPipeline.this.planar, n);
            this.products = u.rows(n).reshape('c', (long) n * hw, c, w);
            this.columnWeights = wx.rows(n).reshape('c', (long) n * hw, 1, w);
            this.resampledPixels = resampled.rows(n).reshape('c', (long) n * hw, c);
            this.gradPlanar = planar(AugmentPipeline.this.gradPlanar, n).permute(0, 1, 3, 2);
            this.rowProduct = matmul(wy.rows(n), AugmentPipeline.this.planar.rows(n), u.rows(n), false, false);
            this.rowProductTransposed = matmul(wy.rows(n), u.rows(n), AugmentPipeline.this.gradPlanar.rows(n), true, false);
            this.columnWeighting = DynamicCustomOp.builder("multiply")
                    .addInputs(products, columnWeights).addOutputs(products).build();
            INDArray pixels = out.rows(n, hw, c);
            this.colourShift = DynamicCustomOp.builder("add").addInputs(pixels, colourOffset.rows(n)).addOutputs(pixels).build();
        }

        private INDArray planar(Tensor t, int n) {
            return t.rows(n, h, c, w);
        }
    }

    /**
     * Bilinear weights along one axis of size {@code size}: the source coordinate of every
     * output pixel (map rows times the pixel grid), folded into [0, size - 1] by reflection,
     * then weights[o, j] = max(0, 1 - |s(o) - j|).
     */
    private final class Axis {
        private final INDArray map;
        private final INDArray s;
        private final INDArray k;
        private final INDArray weights;
        private final DynamicCustomOp distances;
        private final double last;
        private final double period;

        Axis(Tensor map, Tensor src, Tensor weights, INDArray iota, int size, int n) {
            this.map = map.rows(n);
            this.s = src.rows(n);
            this.k = fold.rows(n);
            this.weights = weights.rows(n);
            this.distances = DynamicCustomOp.builder("subtract")
                    .addInputs(src.rows(n, hw, 1), iota).addOutputs(this.weights).build();
            this.last = size - 1;
            this.period = 2 * last;
        }

        void weights() {
            Nd4j.gemm(map, grid, s, false, false, 1.0, 0.0);
            // s - period * floor(s / period) in [0, period), then last - |. - last| in [0, last].
            k.assign(s).divi(period);
            Transforms.floor(k, false);
            s.subi(k.muli(period)).subi(last);
            Transforms.abs(s, false).rsubi(last);
            Nd4j.exec(distances);
            Transforms.abs(weights, false).rsubi(1.0);
            Transforms.relu(weights, false);
        }
    }

    private static float[] iota(int size) {
        float[] v = new float[size];
        for (int j = 0; j < size; j++) {
            v[j] = j;
        }
        return v;
    }

    private static DynamicCustomOp matmul(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB) {
        return DynamicCustomOp.builder("matmul")
                .addInputs(a, b)
                .addOutputs(out)
                .addIntegerArguments(transA ? 1 : 0, transB ? 1 : 0, 0)
                .addFloatingPointArguments(1.0, 0.0)
                .build();
    }

    @Override
    public String toString() {
        return "AugmentPipeline" + Arrays.toString(new int[]{h, w, c}) + enabled;
    }
}
