package io.atelier.common.nn;

import io.atelier.common.compute.NativeThreads;

import java.nio.FloatBuffer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The thread-count determinism tests' one check: a pass run on 1, 3 and 2 native threads (odd
 * counts, so splits are uneven), each twice, and compared bit for bit.
 */
final class ThreadCounts {
    static final int[] THREADS = {1, 3, 2};

    private ThreadCounts() {
    }

    /** Every value of {@code pass} bit-identical on a rerun and for every thread count. */
    static void sameForEveryThreadCount(String what, Supplier<float[]> pass) {
        sameForEveryThreadCount(what, pass, Integer.MAX_VALUE);
    }

    /**
     * The first {@code exact} values bit-identical for every thread count; the rest bit-identical
     * on a rerun with the same count, and across counts within 1e-5 of the largest magnitude.
     */
    static void sameForEveryThreadCount(String what, Supplier<float[]> pass, int exact) {
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

    /**
     * One training pass of {@code layer} on {@code x}: its output, input gradient and (unless
     * {@code params} is null) parameter gradients, for an output gradient of seed 7, in one array.
     */
    static float[] run(Layer layer, Params params, Tensor x, int rows) {
        Tensor gy = new Tensor(rows, layer.outShape());
        fill(HostViews.floats(gy), rows * gy.rowSize(), 7);
        float[] out = copy(HostViews.floats(layer.forward(x, rows, Layer.Pass.TRAIN)), rows * gy.rowSize());
        float[] gx = copy(HostViews.floats(layer.backward(gy, rows, Layer.Grads.ALL)), rows * x.rowSize());
        float[] all = concat(out, gx);
        return params == null ? all : concat(all, copy(HostViews.floats(params.grads()), params.layout().size()));
    }

    /** A [rows, shape...] input of Gaussian values (seed 6). */
    static Tensor input(int rows, long... shape) {
        Tensor x = new Tensor(rows, shape);
        fill(HostViews.floats(x), rows * x.rowSize(), 6);
        return x;
    }

    static void fill(FloatBuffer b, int n, long seed) {
        Rng rng = new Rng(seed);
        for (int i = 0; i < n; i++) {
            b.put(i, (float) rng.nextGaussian());
        }
    }

    static float[] copy(FloatBuffer b, int n) {
        float[] a = new float[n];
        b.get(0, a);
        return a;
    }

    static float[] concat(float[] a, float[] b) {
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
