package io.atelier.common.nn;

import io.atelier.common.families.diffusion.UNet;
import io.atelier.common.families.diffusion.UNetArchitecture;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Java loops split over rows give bit-identical forward outputs, input gradients and
 * parameter gradients on 1 thread and on several. Shapes are large enough that every split loop
 * really runs in several chunks, with rows that do not divide evenly between them.
 */
class ParallelDeterminismTest {
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
        sameForEveryThreadCount("self-attention", () -> run(attn, params, 5, 16, 16, 64));
    }

    @Test
    void conditionalUNetStepIsBitIdenticalForAnyThreadCount() {
        UNetArchitecture arch = new UNetArchitecture(32, 1, 16, List.of(1, 2), true, 4, 3);
        UNet net = new UNet(arch, 7);
        net.params().load(arch.params().initialValues(new Rng(3)));
        fill(net.input().floats(), 7 * net.input().rowSize(), 4);
        net.setTimesAndConditions(new double[]{1, 50, 100, 200, 400, 800, 999},
                new int[][]{{0}, {1, 2}, null, {2}, null, {0, 1}, {1}}, 7);
        Tensor gy = new Tensor(7, 32, 32, 1);
        fill(gy.floats(), 7 * gy.rowSize(), 5);
        sameForEveryThreadCount("U-Net", () -> {
            float[] out = copy(net.forward(7).floats(), 7 * gy.rowSize());
            net.backward(gy, 7);
            return concat(out, copy(HostViews.floats(net.params().grads()), arch.params().size()));
        });
    }

    @Test
    void aFailingChunkFailsTheCallAfterEveryRunningChunkFinished() {
        int before = Parallel.threads();
        Parallel.setThreads(3);
        try {
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.rows(90, 1 << 14, (from, to) -> {
                running.incrementAndGet();
                try {
                    Thread.sleep(5);
                    if (from <= 45 && 45 < to) {
                        throw new IllegalStateException("row 45");
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                } finally {
                    running.decrementAndGet();
                }
            }));
            assertEquals("row 45", e.getMessage());
            assertEquals(0, running.get());
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static float[] run(Layer layer, Params params, int rows, long... shape) {
        Tensor x = new Tensor(rows, shape);
        fill(x.floats(), rows * x.rowSize(), 6);
        Tensor gy = new Tensor(rows, layer.outShape());
        fill(gy.floats(), rows * gy.rowSize(), 7);
        float[] out = copy(layer.forward(x, rows, Layer.Pass.TRAIN).floats(), rows * gy.rowSize());
        float[] gx = copy(layer.backward(gy, rows, Layer.Grads.ALL).floats(), rows * x.rowSize());
        float[] all = concat(out, gx);
        return params == null ? all : concat(all, copy(HostViews.floats(params.grads()), params.layout().size()));
    }

    private static void sameForEveryThreadCount(String what, Supplier<float[]> pass) {
        int before = Parallel.threads();
        try {
            float[] reference = null;
            for (int t : THREADS) {
                Parallel.setThreads(t);
                float[] got = pass.get();
                if (reference == null) {
                    reference = got;
                } else {
                    assertArrayEquals(bits(reference), bits(got), what + ": " + t + " threads differ from 1");
                }
            }
        } finally {
            Parallel.setThreads(before);
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
