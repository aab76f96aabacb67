package io.atelier.common.nn;

import io.atelier.common.compute.NativeThreads;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The layers built from patch extraction, matrix products, bias adds and bias column sums give
 * bit-identical outputs, input gradients and parameter gradients for any native thread count:
 * every reduction they do sums each output value on one thread, in one order. Batches are large
 * enough that the ops really split across threads. (The backend's own convolution kernels do
 * not promise this: a transposed convolution's weight gradient, 32 -> 16 channels on 7x7 maps,
 * differed in the last bit between 1 and 3 threads.)
 */
class NativeThreadDeterminismTest {
    private static final int[] THREADS = {1, 3, 2};

    @Test
    void patchConvolutionsAreBitIdenticalForAnyThreadCount() {
        // The discriminator's image-side layer (3 channels in) and the generator's (1 channel out).
        sameForEveryThreadCount("patch conv", conv(false, 3, 16, 28, 37,
                p -> new PatchConv2d(p, "c", false, 3, 16, 4, 2, 1, 28, 28, 37, Activation.LEAKY_RELU)));
        sameForEveryThreadCount("patch transposed conv", conv(true, 16, 1, 14, 37,
                p -> new PatchConv2d(p, "c", true, 16, 1, 4, 2, 1, 14, 14, 37, Activation.TANH)));
    }

    @Test
    void denseIsBitIdenticalForAnyThreadCount() {
        ParamLayout.Builder pb = ParamLayout.builder();
        Dense.register(pb, "fc", 50, 3000, 0.05);
        Params params = params(pb.build());
        sameForEveryThreadCount("dense", () -> run(new Dense(params, "fc", 50, 3000, 70), params, input(70, 50), 70));
    }

    private static java.util.function.Supplier<float[]> conv(boolean transposed, int inC, int outC, int side, int rows,
                                                             Function<Params, Layer> make) {
        ParamLayout.Builder pb = ParamLayout.builder();
        Conv2d.register(pb, "c", transposed, inC, outC, 4, 0.1);
        Params params = params(pb.build());
        Layer layer = make.apply(params);
        Tensor x = input(rows, side, side, inC);
        return () -> run(layer, params, x, rows);
    }

    private static float[] run(Layer layer, Params params, Tensor x, int rows) {
        Tensor gy = new Tensor(rows, layer.outShape());
        fill(HostViews.floats(gy), rows * gy.rowSize(), 7);
        float[] out = copy(HostViews.floats(layer.forward(x, rows, Layer.Pass.TRAIN)), rows * gy.rowSize());
        float[] gx = copy(HostViews.floats(layer.backward(gy, rows, Layer.Grads.ALL)), rows * x.rowSize());
        float[] gp = copy(HostViews.floats(params.grads()), params.layout().size());
        float[] all = java.util.Arrays.copyOf(out, out.length + gx.length + gp.length);
        System.arraycopy(gx, 0, all, out.length, gx.length);
        System.arraycopy(gp, 0, all, out.length + gx.length, gp.length);
        return all;
    }

    private static void sameForEveryThreadCount(String what, java.util.function.Supplier<float[]> pass) {
        int before = NativeThreads.get();
        try {
            int[] reference = null;
            for (int t : THREADS) {
                NativeThreads.set(t);
                int[] got = bits(pass.get());
                if (reference == null) {
                    reference = got;
                } else {
                    assertArrayEquals(reference, got, what + ": " + t + " native threads differ from 1");
                }
            }
        } finally {
            NativeThreads.set(before);
        }
    }

    private static Params params(ParamLayout layout) {
        Params params = new Params(layout);
        params.load(layout.initialValues(new Rng(1)));
        // Non-zero biases, so the bias pass matters.
        FloatBuffer v = HostViews.floats(params.values());
        for (ParamLayout.Entry e : layout.entries()) {
            if (e.name().endsWith(".bias")) {
                for (int i = e.offset(); i < e.offset() + e.length(); i++) {
                    v.put(i, 0.01f * (i % 7) - 0.03f);
                }
            }
        }
        return params;
    }

    private static Tensor input(int rows, long... shape) {
        Tensor x = new Tensor(rows, shape);
        fill(HostViews.floats(x), rows * x.rowSize(), 6);
        return x;
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

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
