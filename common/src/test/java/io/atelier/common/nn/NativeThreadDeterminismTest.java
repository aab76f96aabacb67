package io.atelier.common.nn;

import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.function.Function;

import static io.atelier.common.nn.ThreadCounts.input;
import static io.atelier.common.nn.ThreadCounts.run;
import static io.atelier.common.nn.ThreadCounts.sameForEveryThreadCount;

/**
 * The layers built from patch extraction, matrix products, bias adds and bias column sums give
 * bit-identical outputs, input gradients and parameter gradients for any native thread count:
 * every reduction they do sums each output value on one thread, in one order. Batches are large
 * enough that the ops really split across threads. (The backend's own convolution kernels do
 * not promise this: a transposed convolution's weight gradient, 32 -> 16 channels on 7x7 maps,
 * differed in the last bit between 1 and 3 threads.)
 */
class NativeThreadDeterminismTest {

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
}
