package io.atelier.common.nn;

import io.atelier.common.families.diffusion.TextEncoder;
import io.atelier.common.families.diffusion.UNet;
import io.atelier.common.families.diffusion.UNetArchitecture;
import org.junit.jupiter.api.Test;

import java.util.List;

import java.util.function.DoubleSupplier;

import static io.atelier.common.nn.GradientChecks.dot;
import static io.atelier.common.nn.GradientChecks.fill;
import static io.atelier.common.nn.GradientChecks.randomish;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The text encoder's layers and the U-Net's cross-attention against finite differences ({@link GradientChecks}). */
class TransformerLayersGradientTest {
    private static final GradientChecks CHECK = new GradientChecks(1e-2f, 2e-3);

    private static Params params(ParamLayout.Builder b, long seed) {
        Params p = new Params(b.build());
        p.load(randomish(p.layout().size(), seed, 0.4f, 0.1f));
        return p;
    }

    @Test
    void layerNormGradientsMatchFiniteDifferences() {
        ParamLayout.Builder b = ParamLayout.builder();
        LayerNorm.register(b, "ln", 6);
        Params p = params(b, 3);
        CHECK.layer("layer norm", new LayerNorm(p, "ln", 3, 4, 6), p, 3, 4, 6);
    }

    @Test
    void layerNormNormalisesEachTokenToTheAffineShift() {
        ParamLayout.Builder b = ParamLayout.builder();
        LayerNorm.register(b, "ln", 4);
        Params p = new Params(b.build());
        p.load(new float[]{1, 1, 1, 1, 0.5f, 0, 0, 0});
        Tensor x = new Tensor(1, 1, 4);
        HostViews.floats(x).put(0, new float[]{1, 2, 3, 4});
        float[] y = HostArrays.toArray(new LayerNorm(p, "ln", 1, 1, 4).forward(x, 1, Layer.Pass.TRAIN).rows(1));
        // mean 2.5, biased variance 1.25: (x - 2.5) / sqrt(1.25 + 1e-5), bias 0.5 on the first.
        double s = Math.sqrt(1.25 + LayerNorm.EPS);
        assertArrayEquals(new float[]{(float) (-1.5 / s + 0.5), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s)}, y, 1e-5f);
    }

    @Test
    void tokenEmbeddingGathersAndScatterAddsRepeatedTokens() {
        ParamLayout.Builder b = ParamLayout.builder();
        TokenEmbedding.register(b, "emb", 5, 3, 4, 1.0);
        Params p = params(b, 5);
        TokenEmbedding emb = new TokenEmbedding(p, "emb", 5, 3, 4, 2);
        Tensor ids = new Tensor(2, 3);
        // Token 2 three times (twice in one row), token 0 never.
        HostViews.floats(ids).put(0, new float[]{2, 4, 2, 1, 2, 3});
        float[] table = HostArrays.toArray(p.value("emb.tokens"));
        float[] pos = HostArrays.toArray(p.value("emb.positions"));
        float[] y = HostArrays.toArray(emb.forward(ids, 2, Layer.Pass.TRAIN).rows(2));
        assertEquals(table[4 * 4 + 1] + pos[4 + 1], y[4 + 1], 1e-6f, "row 0, token 1 is id 4 at position 1");
        assertEquals(table[3 * 4 + 2] + pos[2 * 4 + 2], y[12 + 8 + 2], 1e-6f, "row 1, token 2 is id 3 at position 2");
        float[] r = randomish(24, 6, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(emb.forward(ids, 2, Layer.Pass.TRAIN)), r);
        loss.getAsDouble();
        Tensor gy = new Tensor(2, 3, 4);
        HostViews.floats(gy).put(0, r);
        emb.backward(gy, 2, Layer.Grads.ALL);
        float[] g = HostArrays.toArray(p.grads());
        CHECK.compare("token embedding", loss, HostViews.floats(p.values()), g, g.length, 0);
        // Every coordinate of the repeated token: the sum of its three positions' gradients.
        for (int c = 0; c < 4; c++) {
            assertEquals(r[c] + r[8 + c] + r[16 + c], g[2 * 4 + c], 1e-5f, "token 2's gradient, channel " + c);
            assertEquals(0f, g[c], "an unused token has no gradient");
        }
    }

    @Test
    void transformerBlockGradientsMatchFiniteDifferencesWithPadding() {
        ParamLayout.Builder b = ParamLayout.builder();
        TransformerBlock.register(b, "blk", 8);
        Params p = params(b, 7);
        TransformerBlock block = new TransformerBlock(p, "blk", 4, 8, 2, 2);
        block.setMask(mask(2, 4, 2));
        CHECK.layer("transformer block", block, p, 2, 4, 8);
    }

    @Test
    void paddingTokensDoNotReachTheRealOnes() {
        ParamLayout.Builder b = ParamLayout.builder();
        TransformerBlock.register(b, "blk", 8);
        Params p = params(b, 8);
        TransformerBlock block = new TransformerBlock(p, "blk", 4, 8, 2, 2);
        block.setMask(mask(2, 4, 2));
        Tensor x = new Tensor(2, 4, 8);
        fill(HostViews.floats(x), 64, 9, 1f, 0f);
        float[] before = HostArrays.toArray(block.forward(x, 2, Layer.Pass.TRAIN).rows(2));
        HostViews.floats(x).put(48, randomish(16, 10, 1f, 0f)); // new padding tokens 2 and 3 of row 1
        float[] after = HostArrays.toArray(block.forward(x, 2, Layer.Pass.TRAIN).rows(2));
        for (int i = 32; i < 48; i++) {
            assertEquals(before[i], after[i], 0f, "real token value " + i + " moved with the padding");
        }
        assertNotEquals(before[52], after[52], "the padding positions themselves change");
    }

    @Test
    void crossAttentionGradientsMatchFiniteDifferencesForMapsAndTokens() {
        ParamLayout.Builder b = ParamLayout.builder();
        CrossAttention.register(b, "xa", 4, 6);
        Params p = params(b, 11);
        CrossAttention xa = new CrossAttention(p, "xa", 2, 3, 4, 2, 3, 6, 2, 2);
        Tensor tokens = new Tensor(2, 3, 6);
        fill(HostViews.floats(tokens), 36, 12, 1f, 0f);
        xa.setContext(tokens, mask(2, 3, 1));
        CHECK.layer("cross-attention", xa, p, 2, 2, 3, 4);
        Tensor x = new Tensor(2, 2, 3, 4);
        fill(HostViews.floats(x), 48, 13, 1f, 0f);
        float[] r = randomish(48, 14, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(xa.forward(x, 2, Layer.Pass.TRAIN)), r);
        loss.getAsDouble();
        Tensor gy = new Tensor(2, 2, 3, 4);
        HostViews.floats(gy).put(0, r);
        xa.backward(gy, 2, Layer.Grads.ALL);
        float[] gt = HostArrays.toArray(xa.gradContext().rows(2));
        CHECK.compare("cross-attention tokens", loss, HostViews.floats(tokens), gt, gt.length, 0);
        for (int c = 0; c < 6; c++) {
            assertEquals(0f, gt[18 + 12 + c], "row 1's padding token gets no gradient");
        }
    }

    @Test
    void transformerConditionedUNetGradientsMatchFiniteDifferences() {
        UNetArchitecture arch = new UNetArchitecture(8, 1, 4, List.of(1, 2), true, 2, 3, TextEncoder.Kind.TRANSFORMER, 1, 3);
        UNet net = new UNet(arch, 2);
        float[] w = arch.params().initialValues(new Rng(51));
        for (String name : List.of("out.weight", "mid.xattn.attn.out.weight", "up1.xattn.attn.out.weight")) {
            ParamLayout.Entry e = arch.params().get(name);
            for (int i = e.offset(); i < e.offset() + e.length(); i++) {
                w[i] *= 10;
            }
        }
        net.params().load(w);
        fill(HostViews.floats(net.input()), 2 * 64, 52, 1f, 0f);
        // A two-word caption (one padding token) and the null token.
        net.setTimesAndConditions(new double[]{3, 17}, new int[][]{{2, 0}, null}, 2);
        float[] r = randomish(2 * 64, 53, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(net.forward(2)), r);
        loss.getAsDouble();
        Tensor gy = new Tensor(2, 8, 8, 1);
        HostViews.floats(gy).put(0, r);
        net.backward(gy, 2);
        float[] g = HostArrays.toArray(net.params().grads());
        GradientChecks check = new GradientChecks(1e-3f, 5e-3);
        ParamLayout.Entry first = arch.params().get("text.embed.tokens");
        ParamLayout.Entry last = arch.params().get("text.norm.bias");
        check.compare("text encoder in the U-Net", loss, HostViews.floats(net.params().values()), g,
                last.offset() + last.length(), first.offset());
        check.compare("transformer U-Net", loss, HostViews.floats(net.params().values()), g, g.length, 0);
    }

    /** Additive masks [T] per row: row r's last {@code padded} tokens masked when r is odd. */
    private static Tensor mask(int rows, int tokens, int padded) {
        Tensor m = new Tensor(rows, tokens);
        float[] v = new float[rows * tokens];
        for (int r = 1; r < rows; r += 2) {
            for (int t = tokens - padded; t < tokens; t++) {
                v[r * tokens + t] = TransformerBlock.MASKED;
            }
        }
        HostViews.floats(m).put(0, v);
        return m;
    }
}
