package io.atelier.common.nn;

import io.atelier.common.families.dcgan.DcganArchitecture;
import io.atelier.common.families.dcgan.DcganDiscriminator;
import io.atelier.common.families.dcgan.DcganGenerator;
import io.atelier.common.families.diffusion.UNet;
import io.atelier.common.families.diffusion.UNetArchitecture;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.function.DoubleSupplier;

import static io.atelier.common.nn.GradientChecks.difference;
import static io.atelier.common.nn.GradientChecks.dot;
import static io.atelier.common.nn.GradientChecks.fill;
import static io.atelier.common.nn.GradientChecks.randomish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-written backward passes against central finite differences of L = sum(y * R) for a
 * fixed random R. Float32 throughout, so tolerances are loose but far below the size of any
 * real mistake (a wrong term shows up as an O(1) relative error). Single layers are smooth, so
 * a step of 1e-2 is exact enough; whole networks have LeakyReLU kinks that a large step would
 * straddle, so they use a small step and a larger absolute tolerance for float round-off.
 */
class GradientCheckTest {
    private static final float LAYER_STEP = 1e-2f;
    private static final float NETWORK_STEP = 2e-4f;
    private static final int COORDINATES = 40;
    private float h = LAYER_STEP;
    private double absTol = 2e-3;

    @Test
    void batchNormGradientsMatchFiniteDifferencesPerGroup() {
        for (Activation act : List.of(Activation.NONE, Activation.TANH)) {
            // Feature maps [H, W, C], normalised as two groups like a real + fake pass.
            checkBatchNorm(act, 6, 2, 2, 2, 3);
            // Dense features [C].
            checkBatchNorm(act, 8, 2, 5);
        }
    }

    private void checkBatchNorm(Activation act, int rows, int groups, long... shape) {
        ParamLayout.Builder pb = ParamLayout.builder();
        ParamLayout.Builder sb = ParamLayout.builder();
        BatchNormAct.register(pb, sb, "bn", (int) shape[shape.length - 1]);
        Params params = new Params(pb.build());
        params.load(randomish(params.layout().size(), 11, 0.5f, 1f));
        RunningStats stats = new RunningStats(sb.build());
        BatchNormAct bn = new BatchNormAct(params, stats, "bn", act, rows, groups, shape);
        Tensor x = new Tensor(rows, shape);
        fill(HostViews.floats(x), rows * x.rowSize(), 3, 1.5f, 0.3f);
        Layer.Pass pass = new Layer.Pass(true, groups);
        float[] r = randomish(rows * x.rowSize(), 5, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(bn.forward(x, rows, pass)), r);
        loss.getAsDouble();
        Tensor gy = new Tensor(rows, shape);
        HostViews.floats(gy).put(0, r);
        Tensor gx = bn.backward(gy, rows, Layer.Grads.ALL);
        String what = "batch norm " + act + " " + java.util.Arrays.toString(shape);
        compare(what + " input", loss, HostViews.floats(x), HostViews.floats(gx), rows * x.rowSize(), 0);
        compare(what + " params", loss, HostViews.floats(params.values()), HostViews.floats(params.grads()), params.layout().size(), 0);
    }

    @Test
    void convolutionGradientsMatchFiniteDifferences() {
        for (int variant = 0; variant < 4; variant++) {
            boolean transposed = variant % 2 == 1;
            // Even and odd sides: 7x7 -> 14x14 is the reference generator's first upsampling.
            int side = variant < 2 ? (transposed ? 3 : 6) : (transposed ? 7 : 14);
            for (boolean patches : new boolean[]{false, true}) {
                checkConvolution(transposed, patches, side, 3, 4);
            }
        }
        // The image-side shapes: one channel in (D) or out (G).
        checkConvolution(false, true, 8, 1, 5);
        checkConvolution(true, true, 4, 5, 1);
    }

    private void checkConvolution(boolean transposed, boolean patches, int side, int inC, int outC) {
        ParamLayout.Builder pb = ParamLayout.builder();
        Conv2d.register(pb, "c", transposed, inC, outC, 4, 0.3);
        Params params = new Params(pb.build());
        params.load(pb.build().initialValues(new Rng(transposed ? 2 : 1)));
        HostViews.floats(params.values()).put(params.offset("c.bias"), 0.2f);
        Layer conv = patches
                ? new PatchConv2d(params, "c", transposed, inC, outC, 4, 2, 1, side, side, 2, Activation.NONE)
                : new Conv2d(params, "c", transposed, inC, outC, 4, 2, 1, side, side, 2);
        Tensor x = new Tensor(2, side, side, inC);
        fill(HostViews.floats(x), 2 * x.rowSize(), 9, 1f, 0f);
        long[] out = conv.outShape();
        int outSize = 2 * (int) (out[0] * out[1] * out[2]);
        float[] r = randomish(outSize, 4, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(conv.forward(x, 2, Layer.Pass.TRAIN)), r);
        loss.getAsDouble();
        Tensor gy = new Tensor(2, out);
        HostViews.floats(gy).put(0, r);
        Tensor gx = conv.backward(gy, 2, Layer.Grads.ALL);
        float[] full = new float[2 * x.rowSize()];
        HostViews.floats(gx).get(0, full);
        float[] paramGrads = new float[params.layout().size()];
        HostViews.floats(params.grads()).get(0, paramGrads);
        String what = (patches ? "patch " : "") + (transposed ? "transposed " : "") + "conv " + inC + "->" + outC + " at " + side;
        compare(what + " input", loss, HostViews.floats(x), HostViews.floats(gx), 2 * x.rowSize(), 0);
        compare(what + " params", loss, HostViews.floats(params.values()), HostViews.floats(params.grads()), params.layout().size(), 0);
        // The input-only and parameter-only paths must agree with the full backward pass.
        Tensor gxOnly = conv.backward(gy, 2, Layer.Grads.INPUT);
        for (int i = 0; i < full.length; i++) {
            assertEquals(full[i], HostViews.floats(gxOnly).get(i), 1e-4f, what + " input-only gradient at " + i);
        }
        HostViews.floats(params.grads()).put(0, new float[paramGrads.length]);
        conv.backward(gy, 2, Layer.Grads.PARAMS);
        for (int i = 0; i < paramGrads.length; i++) {
            assertEquals(paramGrads[i], HostViews.floats(params.grads()).get(i), 1e-4f, what + " parameter-only gradient at " + i);
        }
    }

    @Test
    void patchConvolutionComputesTheSameLayerAsTheBackendKernels() {
        for (boolean transposed : new boolean[]{false, true}) {
            int side = transposed ? 7 : 14;
            ParamLayout.Builder pb = ParamLayout.builder();
            Conv2d.register(pb, "c", transposed, 3, 5, 4, 0.3);
            Params params = new Params(pb.build());
            params.load(pb.build().initialValues(new Rng(8)));
            HostViews.floats(params.values()).put(params.offset("c.bias") + 1, -0.4f);
            Tensor x = new Tensor(3, side, side, 3);
            fill(HostViews.floats(x), 3 * x.rowSize(), 2, 1f, 0f);
            Tensor a = new Conv2d(params, "c", transposed, 3, 5, 4, 2, 1, side, side, 3).forward(x, 3, Layer.Pass.TRAIN);
            Tensor b = new PatchConv2d(params, "c", transposed, 3, 5, 4, 2, 1, side, side, 3, Activation.NONE).forward(x, 3, Layer.Pass.TRAIN);
            for (int i = 0; i < 3 * a.rowSize(); i++) {
                assertEquals(HostViews.floats(a).get(i), HostViews.floats(b).get(i), 1e-4f, (transposed ? "transposed " : "") + "conv output " + i);
            }
        }
    }

    @Test
    void denseGradientsMatchFiniteDifferences() {
        ParamLayout.Builder pb = ParamLayout.builder();
        Dense.register(pb, "fc", 7, 5, 0.3);
        Params params = new Params(pb.build());
        params.load(pb.build().initialValues(new Rng(3)));
        Dense fc = new Dense(params, "fc", 7, 5, 4);
        Tensor x = new Tensor(4, 7);
        fill(HostViews.floats(x), 28, 8, 1f, 0f);
        float[] r = randomish(20, 6, 1f, 0f);
        DoubleSupplier loss = () -> dotOfFirst(HostViews.floats(fc.forward(x, 3, Layer.Pass.TRAIN)), r, 15);
        loss.getAsDouble();
        Tensor gy = new Tensor(4, 5);
        HostViews.floats(gy).put(0, r, 0, 15);
        Tensor gx = fc.backward(gy, 3, Layer.Grads.ALL);
        compare("dense input", loss, HostViews.floats(x), HostViews.floats(gx), 21, 0);
        compare("dense params", loss, HostViews.floats(params.values()), HostViews.floats(params.grads()), params.layout().size(), 0);
    }

    @Test
    void conditionalDiscriminatorAndGeneratorGradientsMatchFiniteDifferences() {
        h = NETWORK_STEP;
        absTol = 5e-2;
        DcganArchitecture arch = new DcganArchitecture(28, 1, 6, 4, 4, 3, 5);
        DcganDiscriminator d = new DcganDiscriminator(arch, 4, 2);
        d.params().load(arch.discriminatorParams().initialValues(new Rng(21)));
        scale(HostViews.floats(d.params().values()), d.params().layout(), "class_embedding", 20f);
        fill(HostViews.floats(d.input()), 4 * d.input().rowSize(), 13, 1f, 0f);
        d.setLabels(new int[]{0, 2, 1, 2}, 0, 4);
        Layer.Pass pass = new Layer.Pass(true, 2);
        float[] r = {0.7f, -1.1f, 0.4f, 0.9f};
        DoubleSupplier dLoss = () -> dot(HostViews.floats(d.forward(4, pass)), r);
        dLoss.getAsDouble();
        Tensor gl = new Tensor(4, 1);
        HostViews.floats(gl).put(0, r);
        d.backward(gl, 4, Layer.Grads.ALL);
        compare("discriminator params", dLoss, HostViews.floats(d.params().values()), HostViews.floats(d.params().grads()), d.params().layout().size(), 1);
        dLoss.getAsDouble();
        Tensor gImage = d.backward(gl, 4, Layer.Grads.INPUT);
        compare("discriminator input", dLoss, HostViews.floats(d.input()), HostViews.floats(gImage), 4 * d.input().rowSize(), 2);

        DcganGenerator g = new DcganGenerator(arch, 3);
        g.params().load(arch.generatorParams().initialValues(new Rng(22)));
        // Batch norm over so few rows sits ReLU units right at their kinks, where finite
        // differences are meaningless; shifting every pre-activation positive keeps the check
        // about the wiring (ReLU's own derivative is checked on its own below).
        for (ParamLayout.Entry e : g.params().layout().entries()) {
            if (e.name().endsWith("_bn.bias")) {
                for (int i = e.offset(); i < e.offset() + e.length(); i++) {
                    HostViews.floats(g.params().values()).put(i, 5f);
                }
            }
        }
        float[] z = randomish(3 * 6, 17, 1f, 0f);
        int[] labels = {1, 0, 1};
        float[] rg = randomish(3 * 28 * 28, 19, 1f, 0f);
        DoubleSupplier gLoss = () -> {
            g.setInput(z, labels, 3);
            return dot(HostViews.floats(g.forward(3, Layer.Pass.TRAIN)), rg);
        };
        gLoss.getAsDouble();
        Tensor gy = new Tensor(3, 28, 28, 1);
        HostViews.floats(gy).put(0, rg);
        g.backward(gy, 3);
        ParamLayout.Entry emb = g.params().layout().get("label_embedding");
        compare("generator label embedding", gLoss, HostViews.floats(g.params().values()), HostViews.floats(g.params().grads()), emb.offset() + emb.length(), emb.offset());
        compare("generator params", gLoss, HostViews.floats(g.params().values()), HostViews.floats(g.params().grads()), g.params().layout().size(), emb.length());
    }

    @Test
    void groupNormGradientsMatchFiniteDifferencesWithAndWithoutSilu() {
        for (boolean silu : new boolean[]{false, true}) {
            ParamLayout.Builder pb = ParamLayout.builder();
            GroupNormAct.register(pb, "gn", 6);
            Params params = new Params(pb.build());
            params.load(randomish(params.layout().size(), 12, 0.5f, 0.5f));
            GroupNormAct gn = new GroupNormAct(params, "gn", 3, silu, 2, 3, 2, 6);
            checkLayer("group norm " + (silu ? "+ SiLU" : ""), gn, params, 2, 3, 2, 6);
        }
    }

    @Test
    void upsampleAndSiluGradientsMatchFiniteDifferences() {
        Params none = null;
        checkLayer("nearest upsample", new Upsample2x(3, 2, 4, 2), none, 2, 3, 2, 4);
        checkLayer("SiLU", new Silu(3, 5), none, 3, 5);
    }

    @Test
    void selfAttentionGradientsMatchFiniteDifferences() {
        ParamLayout.Builder pb = ParamLayout.builder();
        SelfAttention.register(pb, "attn", 4);
        Params params = new Params(pb.build());
        params.load(pb.build().initialValues(new Rng(31)));
        scale(HostViews.floats(params.values()), params.layout(), "attn.proj.weight", 10f);
        scale(HostViews.floats(params.values()), params.layout(), "attn.q.weight", 2f);
        checkLayer("self-attention", new SelfAttention(params, "attn", 3, 3, 4, 2, 2), params, 2, 3, 3, 4);
    }

    @Test
    void residualBlockGradientsMatchFiniteDifferencesIncludingTheEmbedding() {
        for (int[] widths : new int[][]{{4, 4}, {4, 6}}) {
            ParamLayout.Builder pb = ParamLayout.builder();
            ResBlock.register(pb, "rb", widths[0], widths[1], 5);
            Params params = new Params(pb.build());
            params.load(pb.build().initialValues(new Rng(41)));
            scale(HostViews.floats(params.values()), params.layout(), "rb.conv2.weight", 10f);
            ResBlock block = new ResBlock(params, "rb", widths[0], widths[1], 4, 3, 5, 2, 2);
            Tensor x = new Tensor(2, 4, 3, widths[0]);
            fill(HostViews.floats(x), 2 * x.rowSize(), 42, 1f, 0.2f);
            Tensor emb = new Tensor(2, 5);
            fill(HostViews.floats(emb), 10, 43, 1f, 0f);
            float[] r = randomish(2 * 4 * 3 * widths[1], 44, 1f, 0f);
            DoubleSupplier loss = () -> dot(HostViews.floats(block.forward(x, emb, 2)), r);
            loss.getAsDouble();
            Tensor gy = new Tensor(2, 4, 3, widths[1]);
            HostViews.floats(gy).put(0, r);
            Tensor gEmb = new Tensor(2, 5);
            Tensor gx = block.backward(gy, 2, gEmb);
            String what = "residual block " + widths[0] + "->" + widths[1];
            compare(what + " input", loss, HostViews.floats(x), HostViews.floats(gx), 2 * x.rowSize(), 0);
            compare(what + " embedding", loss, HostViews.floats(emb), HostViews.floats(gEmb), 10, 0);
            compare(what + " params", loss, HostViews.floats(params.values()), HostViews.floats(params.grads()), params.layout().size(), 0);
        }
    }

    @Test
    void conditionalUNetGradientsMatchFiniteDifferences() {
        absTol = 5e-3;
        UNetArchitecture arch = new UNetArchitecture(8, 1, 4, List.of(1, 2), true, 2, 3);
        UNet net = new UNet(arch, 2);
        net.params().load(arch.params().initialValues(new Rng(51)));
        for (String name : List.of("out.weight", "down0.conv2.weight", "down1.conv2.weight", "mid1.conv2.weight",
                "mid2.conv2.weight", "up0.conv2.weight", "up1.conv2.weight", "mid.attn.proj.weight")) {
            scale(HostViews.floats(net.params().values()), net.params().layout(), name, 10f);
        }
        fill(HostViews.floats(net.input()), 2 * 64, 52, 1f, 0f);
        net.setTimesAndConditions(new double[]{3, 17}, new int[][]{{0, 2}, null}, 2);
        float[] r = randomish(2 * 64, 53, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(net.forward(2)), r);
        loss.getAsDouble();
        Tensor gy = new Tensor(2, 8, 8, 1);
        HostViews.floats(gy).put(0, r);
        net.backward(gy, 2);
        ParamLayout.Entry words = arch.params().get("cond.words");
        compare("U-Net condition words", loss, HostViews.floats(net.params().values()), HostViews.floats(net.params().grads()),
                words.offset() + words.length(), words.offset());
        compare("U-Net params", loss, HostViews.floats(net.params().values()), HostViews.floats(net.params().grads()), arch.params().size(), 0);
    }

    private void checkLayer(String what, Layer layer, Params params, int rows, long... shape) {
        Tensor x = new Tensor(rows, shape);
        fill(HostViews.floats(x), rows * x.rowSize(), 61, 1f, 0.3f);
        long[] outShape = layer.outShape();
        Tensor gy = new Tensor(rows, outShape);
        float[] r = randomish(rows * gy.rowSize(), 62, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(layer.forward(x, rows, Layer.Pass.TRAIN)), r);
        loss.getAsDouble();
        HostViews.floats(gy).put(0, r);
        Tensor gx = layer.backward(gy, rows, Layer.Grads.ALL);
        compare(what + " input", loss, HostViews.floats(x), HostViews.floats(gx), rows * x.rowSize(), 0);
        if (params != null) {
            compare(what + " params", loss, HostViews.floats(params.values()), HostViews.floats(params.grads()), params.layout().size(), 0);
        }
    }

    @Test
    void activationDerivativesMatchFiniteDifferencesAwayFromKinks() {
        float[] xs = {-2.5f, -0.7f, -0.05f, 0.03f, 0.4f, 1.9f};
        for (Activation act : Activation.values()) {
            INDArray yt = HostArrays.of(xs, xs.length);
            INDArray gt = HostArrays.of(new float[]{1, 1, 1, 1, 1, 1}, xs.length);
            act.forward(yt);
            act.backward(yt, gt);
            float[] y = HostArrays.toArray(yt);
            float[] g = HostArrays.toArray(gt);
            for (int i = 0; i < xs.length; i++) {
                assertEquals(act.apply(xs[i]), y[i], 1e-6f, act + " forward at " + xs[i]);
                double numeric = (act.apply(xs[i] + 1e-3f) - act.apply(xs[i] - 1e-3f)) / 2e-3;
                assertEquals(numeric, g[i], 2e-3, act + " derivative at " + xs[i]);
            }
        }
    }

    /**
     * Checks about {@link #COORDINATES} evenly spread coordinates in [from, end) of
     * {@code values} against {@code grads}. In whole networks a coordinate whose finite
     * differences at h and h/2 disagree sits on a kink (a unit switching inside the step) and is
     * skipped; most coordinates must be checkable.
     */
    private void compare(String what, DoubleSupplier loss, FloatBuffer values, FloatBuffer grads, int end, int from) {
        float[] analytic = new float[end];
        grads.get(0, analytic, 0, end);
        int stride = Math.max(1, (end - from) / COORDINATES) | 1;
        boolean kinks = h == NETWORK_STEP;
        int candidates = 0;
        int checked = 0;
        for (int i = from; i < end; i += stride) {
            candidates++;
            double numeric = difference(loss, values, i, h);
            if (kinks) {
                double half = difference(loss, values, i, h / 2);
                if (Math.abs(numeric - half) > tolerance(numeric, half)) {
                    continue;
                }
            }
            double err = Math.abs(numeric - analytic[i]);
            assertTrue(err <= tolerance(numeric, analytic[i]),
                    what + " gradient at " + i + ": finite difference " + numeric + ", backward " + analytic[i]);
            checked++;
        }
        loss.getAsDouble();
        assertTrue(checked >= Math.max(1, 0.8 * candidates), what + ": only " + checked + " of " + candidates
                + " coordinates were away from kinks");
    }

    private double tolerance(double a, double b) {
        return 2e-2 * Math.max(Math.abs(a), Math.abs(b)) + absTol;
    }

    /** sum(y * r) over the first n values only. */
    private static double dotOfFirst(FloatBuffer y, float[] r, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) y.get(i) * r[i];
        }
        return s;
    }

    private static void scale(FloatBuffer values, ParamLayout layout, String name, float factor) {
        ParamLayout.Entry e = layout.get(name);
        for (int i = e.offset(); i < e.offset() + e.length(); i++) {
            values.put(i, values.get(i) * factor);
        }
    }
}
