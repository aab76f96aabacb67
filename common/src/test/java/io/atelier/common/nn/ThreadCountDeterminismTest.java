package io.atelier.common.nn;

import io.atelier.common.compute.NativeThreads;
import io.atelier.common.families.diffusion.UNet;
import io.atelier.common.families.diffusion.UNetArchitecture;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Results on 1 thread and on several, with the backend's threads ({@link NativeThreads}): group norm, SiLU and upsampling (ND4J
 * ops whose reductions sum each output on one thread) are bit-identical in everything. Where a
 * layer has convolutions, forward outputs and input gradients are bit-identical, but the
 * backend's convolution weight and bias gradients ({@code conv2d_bp}) split their sums by thread,
 * so parameter gradients are only bit-identical on a rerun with the same count and otherwise
 * agree to rounding. Shapes are large enough that every split really runs in several chunks,
 * with rows that do not divide evenly between them.
 */
class ThreadCountDeterminismTest {
    private static final int[] THREADS = {1, 3, 2};

    @Test
    void groupNormAndSiluAreBitIdenticalForAnyThreadCount() {
        for (boolean silu : new boolean[]{false, true}) {
            Params params = params(b -> GroupNormAct.register(b, "gn", 32), 1);
            GroupNormAct gn = new GroupNormAct(params, "gn", 8, silu, 7, 16, 16, 32);
            sameForEveryThreadCount("group norm" + (silu ? " + SiLU" : ""), () -> run(gn, params, 7, 16, 16, 32));
        }
        sameForEveryThreadCount("SiLU", () -> run(new Silu(7, 16, 16, 32), null, 7, 16, 16, 32));
        sameForEveryThreadCount("upsample", () -> run(new Upsample2x(16, 16, 32, 7), null, 7, 16, 16, 32));
    }

    @Test
    void selfAttentionIsBitIdenticalForAnyThreadCount() {
        Params params = params(b -> SelfAttention.register(b, "attn", 64), 2);
        SelfAttention attn = new SelfAttention(params, "attn", 16, 16, 64, 8, 5);
        sameForEveryThreadCount("self-attention", () -> run(attn, params, 5, 16, 16, 64), 2 * 5 * 16 * 16 * 64);
    }

    @Test
    void conditionalUNetStepIsBitIdenticalForAnyThreadCount() {
        UNetArchitecture arch = new UNetArchitecture(32, 1, 16, List.of(1, 2), true, 4, 3);
        UNet net = new UNet(arch, 7);
        net.params().load(arch.params().initialValues(new Rng(3)));
        fill(HostViews.floats(net.input()), 7 * net.input().rowSize(), 4);
        net.setTimesAndConditions(new double[]{1, 50, 100, 200, 400, 800, 999},
                new int[][]{{0}, {1, 2}, null, {2}, null, {0, 1}, {1}}, 7);
        Tensor gy = new Tensor(7, 32, 32, 1);
        fill(HostViews.floats(gy), 7 * gy.rowSize(), 5);
        sameForEveryThreadCount("U-Net", () -> {
            float[] out = copy(HostViews.floats(net.forward(7)), 7 * gy.rowSize());
            net.backward(gy, 7);
            return concat(out, copy(HostViews.floats(net.params().grads()), arch.params().size()));
        }, 7 * gy.rowSize());
    }

    private static float[] run(Layer layer, Params params, int rows, long... shape) {
        Tensor x = new Tensor(rows, shape);
        fill(HostViews.floats(x), rows * x.rowSize(), 6);
        Tensor gy = new Tensor(rows, layer.outShape());
        fill(HostViews.floats(gy), rows * gy.rowSize(), 7);
        float[] out = copy(HostViews.floats(layer.forward(x, rows, Layer.Pass.TRAIN)), rows * gy.rowSize());
        float[] gx = copy(HostViews.floats(layer.backward(gy, rows, Layer.Grads.ALL)), rows * x.rowSize());
        float[] all = concat(out, gx);
        return params == null ? all : concat(all, copy(HostViews.floats(params.grads()), params.layout().size()));
    }

    private static void sameForEveryThreadCount(String what, Supplier<float[]> pass) {
        sameForEveryThreadCount(what, pass, Integer.MAX_VALUE);
    }

    /**
     * The first {@code exact} values bit-identical for every thread count; the rest bit-identical
     * on a rerun with the same count, and across counts within 1e-5 of the largest magnitude.
     */
    private static void sameForEveryThreadCount(String what, Supplier<float[]> pass, int exact) {
        int before = NativeThreads.get();
        try {
            float[] reference = null;
            for (int t : THREADS) {
                NativeThreads.set(t);
                float[] got = pass.get();
                assertArrayEquals(bits(got), bits(pass.get()), what + ": a rerun on " + t + " threads differs");
                if (reference == null) {
                    reference = got;
                    continue;
                }
                int cut = Math.min(exact, got.length);
                assertArrayEquals(bits(java.util.Arrays.copyOf(reference, cut)), bits(java.util.Arrays.copyOf(got, cut)),
                        what + ": " + t + " threads differ from 1");
                float scale = 0;
                for (int i = cut; i < got.length; i++) {
                    scale = Math.max(scale, Math.abs(reference[i]));
                }
                for (int i = cut; i < got.length; i++) {
                    assertEquals(reference[i], got[i], 1e-5f * scale, what + ": " + t + " threads, parameter gradient " + (i - cut));
                }
            }
        } finally {
            NativeThreads.set(before);
        }
    }

    private static Params params(java.util.function.Consumer<ParamLayout.Builder> register, long seed) {
        ParamLayout.Builder b = ParamLayout.builder();
        register.accept(b);
        ParamLayout layout = b.build();
        Params params = new Params(layout);
        params.load(layout.initialValues(new Rng(seed)));
        // Non-trivial affine parameters, so the SiLU and gamma paths matter.
        FloatBuffer v = HostViews.floats(params.values());
        Rng rng = new Rng(seed + 100);
        for (int i = 0; i < layout.size(); i++) {
            v.put(i, v.get(i) + 0.3f * (float) rng.nextGaussian());
        }
        return params;
    }

    private static void fill(FloatBuffer b, int n, long seed) {
        Rng rng = new Rng(seed);
        for (int i = 0; i < n; i++) {
            b.put(i, (float) rng.nextGaussian());
        }
    }

    private static float[] copy(FloatBuffer b, int n) {
        float[] a = new float[n];
        b.get(0, a);
        return a;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
