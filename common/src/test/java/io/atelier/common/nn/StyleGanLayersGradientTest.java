package io.atelier.common.nn;

import org.junit.jupiter.api.Test;

import java.util.function.DoubleSupplier;

import static io.atelier.common.nn.GradientChecks.dot;
import static io.atelier.common.nn.GradientChecks.fill;
import static io.atelier.common.nn.GradientChecks.randomish;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * StyleGAN2's layers (equalised dense and convolution, modulated convolution with and without
 * demodulation, noise injection, bias + scaled leaky ReLU, minibatch standard deviation, and the
 * nearest-neighbour upsampling it uses) against central finite differences ({@link GradientChecks}).
 */
class StyleGanLayersGradientTest {

    @Test
    void equalizedDenseGradientsMatchFiniteDifferencesWithItsLearningRateMultiplier() {
        for (double lrMul : new double[]{1.0, 0.01}) {
            for (boolean leaky : new boolean[]{false, true}) {
                ParamLayout.Builder pb = ParamLayout.builder();
                EqualizedDense.register(pb, "fc", 6, 5, lrMul, 0);
                Params params = new Params(pb.build());
                params.load(params.layout().initialValues(new Rng(5)));
                params.value("fc.bias").assign(0.3 / lrMul);
                EqualizedDense fc = new EqualizedDense(params, "fc", 6, 5, lrMul, leaky, 3);
                new GradientChecks(1e-2f, 2e-3).layer("dense lr x" + lrMul + (leaky ? " lrelu" : ""), fc, params, 3, 6);
            }
        }
    }

    @Test
    void equalizedDenseScalesItsStoredWeightsAtRuntime() {
        ParamLayout.Builder pb = ParamLayout.builder();
        EqualizedDense.register(pb, "fc", 4, 1, 0.01, 0);
        Params params = new Params(pb.build());
        params.value("fc.weight").assign(100f);
        params.value("fc.bias").assign(100f);
        EqualizedDense fc = new EqualizedDense(params, "fc", 4, 1, 0.01, false, 1);
        Tensor x = new Tensor(1, 4);
        x.rows(1).assign(1f);
        // y = sum(x * 100 * 0.01 / sqrt(4)) + 100 * 0.01 = 4 * 0.5 + 1.
        assertEquals(3f, fc.forward(x, 1, Layer.Pass.TRAIN).rows(1).getDouble(0), 1e-5, "runtime-scaled output");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EqualizedDense.register(ParamLayout.builder(), "m", 4, 4, 0.01, 1));
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
    }

    @Test
    void equalizedConvolutionGradientsMatchFiniteDifferences() {
        for (int stride : new int[]{1, 2}) {
            ParamLayout.Builder pb = ParamLayout.builder();
            EqualizedConv2d.register(pb, "c", 3, 4, 3, true);
            Params params = new Params(pb.build());
            params.load(params.layout().initialValues(new Rng(7)));
            params.value("c.bias").assign(0.2);
            EqualizedConv2d conv = new EqualizedConv2d(params, "c", 3, 4, 3, stride, 1, true, true, 4, 4, 2);
            new GradientChecks(1e-2f, 2e-3).layer("equalized conv stride " + stride, conv, params, 2, 4, 4, 3);
            ParamLayout.Builder sb = ParamLayout.builder();
            EqualizedConv2d.register(sb, "skip", 3, 4, 1, false);
            Params skipParams = new Params(sb.build());
            skipParams.load(skipParams.layout().initialValues(new Rng(8)));
            EqualizedConv2d skip = new EqualizedConv2d(skipParams, "skip", 3, 4, 1, stride, 0, false, false, 4, 4, 2);
            new GradientChecks(1e-2f, 2e-3).layer("equalized 1x1 without bias, stride " + stride, skip, skipParams, 2, 4, 4, 3);
        }
    }

    @Test
    void modulatedConvolutionGradientsMatchFiniteDifferencesInEveryConfiguration() {
        // demodulate, noise, leaky: the synthesis layer (all three), toRGB (none), and each part alone.
        boolean[][] configs = {{true, false, false}, {false, false, false}, {true, true, false}, {true, true, true}};
        for (boolean[] c : configs) {
            String what = "modulated conv" + (c[0] ? " demod" : "") + (c[1] ? " noise" : "") + (c[2] ? " lrelu" : "");
            int k = c[0] ? 3 : 1;
            ParamLayout.Builder pb = ParamLayout.builder();
            ModulatedConv2d.register(pb, "m", 5, 3, 4, k, c[1]);
            Params params = new Params(pb.build());
            params.load(params.layout().initialValues(new Rng(11)));
            params.value("m.bias").assign(0.1);
            if (c[1]) {
                params.value("m.noise_strength").assign(0.7);
            }
            ModulatedConv2d layer = new ModulatedConv2d(params, "m", 5, 3, 4, k, c[0], c[1], c[2], 3, 3, 2);
            Tensor x = new Tensor(2, 3, 3, 3);
            fill(HostViews.floats(x), 54, 21, 1f, 0.2f);
            Tensor w = new Tensor(2, 5);
            fill(HostViews.floats(w), 10, 22, 1f, 0f);
            Tensor noise = new Tensor(2, 3, 3, 1);
            fill(HostViews.floats(noise), 18, 23, 1f, 0f);
            float[] r = randomish(2 * 3 * 3 * 4, 24, 1f, 0f);
            DoubleSupplier loss = () -> dot(HostViews.floats(layer.forward(x, w, noise, 2)), r);
            loss.getAsDouble();
            Tensor gy = new Tensor(2, 3, 3, 4);
            HostViews.floats(gy).put(0, r);
            float[] gx = HostArrays.toArray(layer.backward(gy, 2).rows(2));
            float[] gw = HostArrays.toArray(layer.gradW().rows(2));
            float[] gp = HostArrays.toArray(params.grads());
            assertArrayEquals(r, HostArrays.toArray(gy.rows(2)), what + ": the caller's gradient is left as it was");
            GradientChecks check = new GradientChecks(5e-3f, 2e-3);
            check.compare(what + " input", loss, HostViews.floats(x), gx, gx.length, 0);
            check.compare(what + " w", loss, HostViews.floats(w), gw, gw.length, 0);
            check.compare(what + " params", loss, HostViews.floats(params.values()), gp, gp.length, 0);
            ParamLayout.Entry weight = params.layout().get("m.weight");
            check.compare(what + " weight", loss, HostViews.floats(params.values()), gp, weight.offset() + weight.length(),
                    weight.offset());
            if (c[1]) {
                int s = params.offset("m.noise_strength");
                check.compare(what + " noise strength", loss, HostViews.floats(params.values()), gp, s + 1, s);
            }
        }
    }

    /**
     * The effective weight W[o, i, k] * s[i] * d[o] of one sample has unit norm per output channel:
     * seen through the layer, an impulse at the centre of a 3x3 map in input channel i returns the
     * kernel taps of every output channel, so the squares over all impulses and pixels sum to 1.
     */
    @Test
    void demodulatedWeightsHaveUnitNormPerOutputChannel() {
        int in = 3;
        int out = 4;
        ParamLayout.Builder pb = ParamLayout.builder();
        ModulatedConv2d.register(pb, "m", 5, in, out, 3, false);
        Params params = new Params(pb.build());
        params.load(params.layout().initialValues(new Rng(31)));
        ModulatedConv2d layer = new ModulatedConv2d(params, "m", 5, in, out, 3, true, false, false, 3, 3, in);
        Tensor x = new Tensor(in, 3, 3, in);
        float[] impulses = new float[in * 9 * in];
        for (int i = 0; i < in; i++) {
            impulses[i * 9 * in + 4 * in + i] = 1f;
        }
        HostViews.floats(x).put(0, impulses);
        Tensor w = new Tensor(in, 5);
        float[] one = randomish(5, 32, 2f, 0.5f);
        for (int i = 0; i < in; i++) {
            HostViews.floats(w).put(i * 5, one);
        }
        float[] y = HostArrays.toArray(layer.forward(x, w, null, in).rows(in));
        for (int o = 0; o < out; o++) {
            double sum = 0;
            for (int p = o; p < y.length; p += out) {
                sum += (double) y[p] * y[p];
            }
            assertEquals(1.0, sum, 1e-4, "squared effective weights of output channel " + o);
        }
        // Without demodulation the norm follows the styles instead.
        ModulatedConv2d plain = new ModulatedConv2d(params, "m", 5, in, out, 3, false, false, false, 3, 3, in);
        float[] yp = HostArrays.toArray(plain.forward(x, w, null, in).rows(in));
        double sum = 0;
        for (int p = 0; p < yp.length; p += out) {
            sum += (double) yp[p] * yp[p];
        }
        assertTrue(Math.abs(sum - 1.0) > 1e-2, "an unmodulated layer is not normalised: " + sum);
    }

    @Test
    void minibatchStdGradientsMatchFiniteDifferencesAndTheStatisticIsPerColumn() {
        MinibatchStd mbstd = new MinibatchStd(4, 2, 3, 2, 8);
        new GradientChecks(1e-2f, 2e-3).layer("mbstd groups of 4", mbstd, null, 8, 2, 3, 2);
        new GradientChecks(1e-2f, 2e-3).layer("mbstd one group of 2", new MinibatchStd(4, 2, 3, 2, 2), null, 2, 2, 3, 2);
        // Rows 0 and 2 form column 0 (of 2 columns with groups of 2): equal rows have no spread.
        MinibatchStd small = new MinibatchStd(2, 1, 1, 2, 4);
        Tensor x = new Tensor(4, 1, 1, 2);
        HostViews.floats(x).put(0, new float[]{1, 2, 5, 6, 1, 2, 9, 10});
        float[] y = HostArrays.toArray(small.forward(x, 4, Layer.Pass.TRAIN).rows(4));
        assertEquals(0f, y[2], 1e-3f, "column 0's rows are equal");
        assertEquals(2f, y[5], 1e-5f, "column 1: values 5, 9 and 6, 10 each have population std 2");
        assertEquals(y[5], y[11], "every row of a column gets its statistic");
        assertEquals(9f, y[9], "the input channels pass through");
        assertThrows(IllegalArgumentException.class, () -> mbstd.forward(new Tensor(6, 2, 3, 2), 6, Layer.Pass.TRAIN));
    }

    @Test
    void upsamplingGradientsMatchFiniteDifferences() {
        new GradientChecks(1e-2f, 2e-3).layer("upsample 2x", new Upsample2x(2, 3, 2, 2), null, 2, 2, 3, 2);
    }
}
