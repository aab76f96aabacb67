package io.atelier.common.nn;

import io.atelier.common.families.cyclegan.CycleGanArchitecture;
import io.atelier.common.families.cyclegan.PatchDiscriminator;
import io.atelier.common.families.cyclegan.ResnetGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.function.DoubleSupplier;

import static io.atelier.common.nn.GradientChecks.dot;
import static io.atelier.common.nn.GradientChecks.fill;
import static io.atelier.common.nn.GradientChecks.randomish;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CycleGAN's layers, losses and networks against central finite differences of L = sum(y * R)
 * for a fixed random R ({@link GradientChecks}), as in {@link GradientCheckTest}: float32, loose tolerances far below
 * the O(1) relative error of a wrong term. Every check also tries half the step and skips a
 * coordinate where the two disagree (a ReLU switching inside the step); most coordinates must be
 * checkable. A unit sitting right at its kink fools that test (both estimates are off by the
 * same half jump in slope), so rectified layers are checked against the smooth layer instead.
 */
class CycleGanLayersGradientTest {
    @Test
    void reflectionPadReflectsWithoutRepeatingTheEdge() {
        // One row 1 2 3 4 (a 2x4 map, one channel), padded by 2: PyTorch gives 3 2 1 2 3 4 3 2 per row,
        // and rows in the same way (the second row reflected above and below the first).
        ReflectionPad2d pad = new ReflectionPad2d(2, 1, 3, 4, 1);
        Tensor x = new Tensor(1, 3, 4, 1);
        HostViews.floats(x).put(0, new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        float[] y = new float[7 * 8];
        HostViews.floats(pad.forward(x, 1, Layer.Pass.TRAIN)).get(0, y);
        float[] expected = {
                11, 10, 9, 10, 11, 12, 11, 10,
                7, 6, 5, 6, 7, 8, 7, 6,
                3, 2, 1, 2, 3, 4, 3, 2,
                7, 6, 5, 6, 7, 8, 7, 6,
                11, 10, 9, 10, 11, 12, 11, 10,
                7, 6, 5, 6, 7, 8, 7, 6,
                3, 2, 1, 2, 3, 4, 3, 2};
        assertArrayEquals(expected, y, "reflection pad 2 of a 3x4 map");
        assertThrows(IllegalArgumentException.class, () -> new ReflectionPad2d(3, 1, 3, 8, 1), "padding as wide as the map");
    }

    @Test
    void reflectionPadGradientsMatchFiniteDifferences() {
        for (int p : new int[]{1, 3}) {
            // Several channels and rows, uneven sides, and p = 3 on a side of 4 where the
            // reflections of both borders land on the same interior pixels.
            GradientChecks check = new GradientChecks(1e-2f, 2e-3);
            check.layer("reflection pad " + p, new ReflectionPad2d(p, 2, 4, 5, 3), null, 2, 4, 5, 3);
        }
    }

    @Test
    void instanceNormMatchesFiniteDifferences() {
        Params params = instanceNormParams();
        new GradientChecks(1e-2f, 2e-3).layer("instance norm", instanceNorm(params, Activation.NONE), params, 3, 3, 2, 4);
    }

    /**
     * With a rectifier the layer is act(norm(x)) and its backward pass the smooth layer's applied
     * to gy * act'(y): checked exactly against the instance norm above, kinks and all (finite
     * differences of a normalised map of six pixels keep landing on some unit's kink).
     */
    @Test
    void instanceNormWithRectifiersIsTheRectifiedSmoothLayer() {
        for (Activation act : new Activation[]{Activation.RELU, Activation.LEAKY_RELU}) {
            Params params = instanceNormParams();
            GroupNormAct smooth = instanceNorm(params, Activation.NONE);
            GroupNormAct rectified = instanceNorm(params, act);
            Tensor x = new Tensor(3, 3, 2, 4);
            fill(HostViews.floats(x), 72, 61, 1f, 0.3f);
            float[] r = randomish(72, 62, 1f, 0f);
            Tensor gy = new Tensor(3, 3, 2, 4);
            HostViews.floats(gy).put(0, r);

            float[] y = HostArrays.toArray(rectified.forward(x, 3, Layer.Pass.TRAIN).rows(3));
            float[] gx = HostArrays.toArray(rectified.backward(gy, 3, Layer.Grads.ALL).rows(3));
            float[] gp = HostArrays.toArray(params.grads());
            float[] v = HostArrays.toArray(smooth.forward(x, 3, Layer.Pass.TRAIN).rows(3));
            float[] masked = new float[72];
            int negative = 0;
            for (int i = 0; i < 72; i++) {
                assertEquals(act.apply(v[i]), y[i], 1e-6f, act + " output " + i);
                masked[i] = r[i] * act.derivative(y[i]);
                negative += v[i] < 0 ? 1 : 0;
            }
            assertTrue(negative > 10 && negative < 62, "both sides of the kink are used: " + negative + " of 72 negative");
            Tensor gm = new Tensor(3, 3, 2, 4);
            HostViews.floats(gm).put(0, masked);
            assertArrayEquals(HostArrays.toArray(smooth.backward(gm, 3, Layer.Grads.ALL).rows(3)), gx, 1e-5f, act + " input gradient");
            assertArrayEquals(HostArrays.toArray(params.grads()), gp, 1e-5f, act + " parameter gradients");
            assertArrayEquals(r, HostArrays.toArray(gy.rows(3)), act + ": the incoming gradient is left as it was");
        }
    }

    private static Params instanceNormParams() {
        ParamLayout.Builder pb = ParamLayout.builder();
        GroupNormAct.register(pb, "in", 4);
        Params params = new Params(pb.build());
        params.load(randomish(params.layout().size(), 12, 0.5f, 0.5f));
        return params;
    }

    /** Instance norm: as many groups as channels, over rows of [3, 2, 4]. */
    private static GroupNormAct instanceNorm(Params params, Activation act) {
        return new GroupNormAct(params, "in", 4, act, 3, 3, 2, 4);
    }

    @Test
    void squaredErrorIsTheMeanSquareWithItsGradient() {
        float[] v = randomish(12, 71, 1f, 0.5f);
        for (float target : new float[]{1f, 0f}) {
            INDArray x = HostArrays.of(v, 2, 2, 3, 1);
            INDArray grad = x.ulike();
            double loss = Losses.squaredError(x, grad, target);
            double expected = 0;
            for (float a : v) {
                expected += (a - target) * (a - target) / 12.0;
            }
            assertEquals(expected, loss, 1e-6 * Math.max(1, expected), "LSGAN loss against " + target);
            FloatBuffer xs = HostViews.floats(x);
            new GradientChecks(1e-2f, 1e-4).compare("squared error against " + target,
                    () -> Losses.squaredError(x, x.ulike(), target), xs, HostArrays.toArray(grad), 12, 0);
        }
        assertThrows(IllegalArgumentException.class,
                () -> Losses.squaredError(HostArrays.of(v, 12), HostArrays.of(v, 2, 6), 1f));
    }

    @Test
    void absoluteErrorIsTheMeanAbsoluteDifferenceWithItsSign() {
        float[] a = randomish(12, 72, 1f, 0f);
        float[] b = randomish(12, 73, 1f, 0f);
        b[5] = a[5];
        INDArray x = HostArrays.of(a, 3, 4);
        INDArray target = HostArrays.of(b, 3, 4);
        INDArray grad = x.ulike();
        double loss = Losses.absoluteError(x, target, grad);
        double expected = 0;
        for (int i = 0; i < 12; i++) {
            expected += Math.abs(a[i] - b[i]) / 12.0;
        }
        assertEquals(expected, loss, 1e-6, "L1 loss");
        float[] g = HostArrays.toArray(grad);
        assertEquals(0f, g[5], "no gradient where x equals the target");
        for (int i = 0; i < 12; i++) {
            if (i != 5) {
                assertEquals(Math.signum(a[i] - b[i]) / 12f, g[i], 1e-7f, "L1 gradient at " + i);
            }
        }
        // Away from the one equal pair the loss is linear, so differences are exact up to round-off.
        b[5] = a[5] + 0.5f;
        INDArray target2 = HostArrays.of(b, 3, 4);
        INDArray grad2 = x.ulike();
        Losses.absoluteError(x, target2, grad2);
        new GradientChecks(1e-2f, 1e-4).compare("absolute error", () -> Losses.absoluteError(x, target2, x.ulike()),
                HostViews.floats(x), HostArrays.toArray(grad2), 12, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.absoluteError(x, HostArrays.of(b, 12), grad));
        assertTrue(e.getMessage().contains("target") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void resnetGeneratorGradientsMatchFiniteDifferences() {
        CycleGanArchitecture arch = new CycleGanArchitecture(8, 3, 2, 1, 2, 1);
        Params params = new Params(arch.generatorParams());
        params.load(arch.generatorParams().initialValues(new Rng(81)));
        // Instance norm over a 2x2 or 8x8 map puts some unit of every channel near its ReLU kink,
        // where finite differences say nothing; shifting the rectified norms' outputs up by 4 (more
        // than the largest normalised value on the small maps, sqrt(3)) keeps the check about the
        // wiring. The rectifier's own derivative is checked with the layer above.
        for (ParamLayout.Entry e : params.layout().entries()) {
            if (e.name().endsWith("_norm.bias") || e.name().endsWith(".norm1.bias")) {
                params.value(e.name()).assign(4f);
            }
        }
        ResnetGenerator g = new ResnetGenerator(arch, params, 2);
        Tensor x = g.input();
        fill(HostViews.floats(x), 2 * x.rowSize(), 82, 0.8f, 0f);
        float[] r = randomish(2 * x.rowSize(), 83, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(g.forward(2)), r);
        loss.getAsDouble();
        Tensor gy = new Tensor(2, 8, 8, 3);
        HostViews.floats(gy).put(0, r);
        float[] gx = HostArrays.toArray(g.backward(gy, 2, true).rows(2));
        float[] gp = HostArrays.toArray(params.grads());
        assertArrayEquals(r, HostArrays.toArray(gy.rows(2)), "the caller's gradient is left as it was");
        GradientChecks check = new GradientChecks(2e-4f, 5e-2);
        check.compare("generator input", loss, HostViews.floats(x), gx, gx.length, 0);
        check.compare("generator params", loss, HostViews.floats(params.values()), gp, gp.length, 0);
        // The residual block's second convolution sits between two norms: check it densely too.
        ParamLayout.Entry e = params.layout().get("res0.conv2.weight");
        check.compare("generator residual conv", loss, HostViews.floats(params.values()), gp, e.offset() + e.length(), e.offset());
        // Without the input gradient: the same parameter gradients, no image gradient.
        loss.getAsDouble();
        assertNull(g.backward(gy, 2, false));
        assertArrayEquals(gp, HostArrays.toArray(params.grads()), "parameter gradients without the input gradient");
    }

    @Test
    void patchDiscriminatorGradientsMatchFiniteDifferencesInEveryMode() {
        CycleGanArchitecture arch = new CycleGanArchitecture(16, 3, 2, 1, 2, 2);
        Params params = new Params(arch.discriminatorParams());
        params.load(arch.discriminatorParams().initialValues(new Rng(91)));
        PatchDiscriminator d = new PatchDiscriminator(arch, params, 2);
        Tensor x = d.input();
        fill(HostViews.floats(x), 2 * x.rowSize(), 92, 0.8f, 0f);
        int logits = 2 * arch.patchSide() * arch.patchSide();
        float[] r = randomish(logits, 93, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(d.forward(2)), r);
        loss.getAsDouble();
        Tensor gy = new Tensor(2, arch.patchSide(), arch.patchSide(), 1);
        HostViews.floats(gy).put(0, r);
        float[] gx = HostArrays.toArray(d.backward(gy, 2, Layer.Grads.ALL).rows(2));
        float[] gp = HostArrays.toArray(params.grads());
        GradientChecks check = new GradientChecks(2e-4f, 5e-2);
        check.compare("discriminator input", loss, HostViews.floats(x), gx, gx.length, 0);
        check.compare("discriminator params", loss, HostViews.floats(params.values()), gp, gp.length, 0);

        loss.getAsDouble();
        params.grads().assign(7f);
        float[] gxOnly = HostArrays.toArray(d.backward(gy, 2, Layer.Grads.INPUT).rows(2));
        assertArrayEquals(gx, gxOnly, 1e-6f, "input gradient of an input-only pass");
        float[] untouched = HostArrays.toArray(params.grads());
        for (float v : untouched) {
            assertEquals(7f, v, "an input-only pass leaves the parameter gradients alone");
        }
        assertNull(d.backward(gy, 2, Layer.Grads.PARAMS));
        assertArrayEquals(gp, HostArrays.toArray(params.grads()), 1e-6f, "parameter gradients of a parameter-only pass");
    }
}
