package io.atelier.common.nn;

import io.atelier.common.families.diffusion.UNet;
import io.atelier.common.families.diffusion.UNetArchitecture;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.List;

import static io.atelier.common.nn.ThreadCounts.concat;
import static io.atelier.common.nn.ThreadCounts.copy;
import static io.atelier.common.nn.ThreadCounts.fill;
import static io.atelier.common.nn.ThreadCounts.input;
import static io.atelier.common.nn.ThreadCounts.run;
import static io.atelier.common.nn.ThreadCounts.sameForEveryThreadCount;

/**
 * Results on 1 thread and on several, with the backend's threads ({@link io.atelier.common.compute.NativeThreads}): group norm, SiLU and upsampling (ND4J
 * ops whose reductions sum each output on one thread) are bit-identical in everything. Where a
 * layer has convolutions, forward outputs and input gradients are bit-identical, but the
 * backend's convolution weight and bias gradients ({@code conv2d_bp}) split their sums by thread,
 * so parameter gradients are only bit-identical on a rerun with the same count and otherwise
 * agree to rounding. Shapes are large enough that every split really runs in several chunks,
 * with rows that do not divide evenly between them.
 */
class ThreadCountDeterminismTest {
    @Test
    void groupNormAndSiluAreBitIdenticalForAnyThreadCount() {
        for (boolean silu : new boolean[]{false, true}) {
            Params params = params(b -> GroupNormAct.register(b, "gn", 32), 1);
            GroupNormAct gn = new GroupNormAct(params, "gn", 8, silu, 7, 16, 16, 32);
            sameForEveryThreadCount("group norm" + (silu ? " + SiLU" : ""), () -> run(gn, params, input(7, 16, 16, 32), 7));
        }
        sameForEveryThreadCount("SiLU", () -> run(new Silu(7, 16, 16, 32), null, input(7, 16, 16, 32), 7));
        sameForEveryThreadCount("upsample", () -> run(new Upsample2x(16, 16, 32, 7), null, input(7, 16, 16, 32), 7));
    }

    @Test
    void selfAttentionIsBitIdenticalForAnyThreadCount() {
        Params params = params(b -> SelfAttention.register(b, "attn", 64), 2);
        SelfAttention attn = new SelfAttention(params, "attn", 16, 16, 64, 8, 5);
        sameForEveryThreadCount("self-attention", () -> run(attn, params, input(5, 16, 16, 64), 5), 2 * 5 * 16 * 16 * 64);
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
}
