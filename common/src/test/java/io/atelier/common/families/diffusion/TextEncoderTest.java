package io.atelier.common.families.diffusion;

import io.atelier.common.io.Json;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.ParamLayout;
import io.atelier.common.nn.Tensor;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.LocalSteps;
import io.atelier.common.train.WorkerData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transformer text encoder inside a tiny captioned U-Net: shapes, masking, word order, prompts, training. */
class TextEncoderTest {
    /** Captions of the three bar bands of {@link DiffusionTrainerFixtures#bars}, in label order. */
    static final List<String> BARS = List.of("bright bar at the top", "bright bar in the middle", "bright bar at the bottom");
    static final List<String> HEARTS = List.of("red heart", "blue star", "heart");

    static DiffusionConfig captioned(List<String> captions, TextEncoder.Kind kind) {
        return DiffusionSamplerTest.tiny(50).withCaptions(captions, DiffusionConfig.CaptionSource.CAPTION, 0.2)
                .withTextEncoder(kind, 2);
    }

    @Test
    void theTransformerAddsTokenEmbeddingsBlocksAndCrossAttentionOfTheRightShapes() {
        DiffusionConfig config = captioned(BARS, TextEncoder.Kind.TRANSFORMER);
        UNetArchitecture arch = config.architecture();
        int e = arch.embDim();
        assertEquals(5, config.maxTokens(), "the longest caption has 5 words");
        ParamLayout layout = arch.params();
        int words = config.vocabulary().size();
        assertArrayEquals(new long[]{words + 2, e}, layout.get("text.embed.tokens").shape(), "words + padding + null");
        assertArrayEquals(new long[]{5, e}, layout.get("text.embed.positions").shape());
        assertArrayEquals(new long[]{4 * e, e}, layout.get("text.block1.fc1.weight").shape());
        assertFalse(layout.has("text.block2.ln1.weight"), "two blocks");
        assertFalse(layout.has("cond.words"), "no mean-of-words table");
        // Cross-attention where the images are 7x7 (middle, up level 2) and 14x14 (up level 1), not at 28x28.
        assertArrayEquals(new long[]{8, e}, layout.get("mid.xattn.attn.k.weight").shape(), "keys from tokens to 8 channels");
        assertTrue(layout.has("up2.xattn.attn.q.weight") && layout.has("up1.xattn.attn.q.weight"));
        assertFalse(layout.has("up0.xattn.attn.q.weight"), "no cross-attention at full resolution");

        UNet net = new UNet(arch, 3);
        net.params().load(DiffusionSamplerTest.weights(config));
        net.setTimesAndConditions(new double[]{1, 2, 3}, new int[][]{{0, 1}, null, {0, 1, 2, 3, 4}}, 3);
        assertArrayEquals(new long[]{28, 28, 1}, net.forward(3).rowShape());
        assertTrue(net.macsPerImage() > new UNet(DiffusionSamplerTest.tiny(50).architecture(), 1).macsPerImage());
        assertThrows(IllegalArgumentException.class,
                () -> net.setTimesAndConditions(new double[]{1}, new int[][]{{0, 1, 2, 3, 4, 5}}, 1), "6 words > 5 tokens");
    }

    @Test
    void theMeanEncoderKeepsTodaysNetwork() {
        DiffusionConfig mean = captioned(BARS, TextEncoder.Kind.MEAN);
        DiffusionConfig plain = DiffusionSamplerTest.tiny(50).withCaptions(BARS, DiffusionConfig.CaptionSource.CAPTION, 0.2);
        assertEquals(TextEncoder.Kind.MEAN, plain.textEncoder(), "a config without an encoder means the mean");
        UNetArchitecture today = new UNetArchitecture(28, 1, 4, List.of(1, 2, 2), true, 2, mean.vocabulary().size());
        assertEquals(today, mean.architecture());
        assertEquals(today.params().entries().toString(), mean.architecture().params().entries().toString());
    }

    @Test
    void wordOrderChangesTheTransformersConditionAndNotTheMeans() {
        for (TextEncoder.Kind kind : TextEncoder.Kind.values()) {
            DiffusionConfig config = captioned(HEARTS, kind);
            Vocabulary v = config.vocabulary();
            float[][] out = predict(config, new int[][]{v.encode("red heart"), v.encode("heart red")});
            if (kind == TextEncoder.Kind.MEAN) {
                assertArrayEquals(out[0], out[1], "the mean of words ignores their order");
            } else {
                assertTrue(maxDiff(out[0], out[1]) > 1e-4, "the transformer tells 'red heart' from 'heart red': "
                        + maxDiff(out[0], out[1]));
            }
        }
    }

    @Test
    void paddingNeverReachesTheConditionAndTheNullTokenIsItsOwnCondition() {
        DiffusionConfig config = captioned(HEARTS, TextEncoder.Kind.TRANSFORMER);
        Vocabulary v = config.vocabulary();
        int[][] rows = {v.encode("heart"), null};
        UNet net = net(config);
        float[][] before = predict(net, rows);
        INDArray table = net.params().value("text.embed.tokens");
        // The padding token's embedding (id 0) and the last position's embedding (only padding uses it here).
        table.getRow(TextEncoder.PAD).addi(3.0);
        net.params().value("text.embed.positions").getRow(1).addi(3.0);
        float[][] after = predict(net, rows);
        assertArrayEquals(before[0], after[0], "a one-word caption never attends to padding");
        assertArrayEquals(before[1], after[1], "the null token is one token long too");
        assertTrue(maxDiff(before[0], before[1]) > 1e-4, "a caption differs from no caption");
    }

    @Test
    void promptsAreCheckedAgainstTheVocabularyAndTheTokenLimit() {
        DiffusionConfig config = captioned(HEARTS, TextEncoder.Kind.TRANSFORMER);
        Vocabulary v = config.vocabulary();
        assertNull(config.encodePrompt(v, "  , "), "an empty prompt is the unconditional one");
        assertArrayEquals(v.encode("heart red"), config.encodePrompt(v, "Heart, red"));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> config.encodePrompt(v, "red heart blue star"));
        assertEquals("prompt 'red heart blue star' has 4 words; this model's text encoder reads at most 2 (its longest"
                + " training caption): shorten the prompt", tooLong.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> config.encodePrompt(v, "red cat"));
        assertTrue(unknown.getMessage().contains("unknown word cat"), unknown.getMessage());
        assertArrayEquals(v.encode("red heart blue star"), captioned(HEARTS, TextEncoder.Kind.MEAN).encodePrompt(v,
                "red heart blue star"), "the mean encoder has no token limit");
    }

    @Test
    void captionsDefaultToTheTransformerAndLabelNamesToTheMean() throws Exception {
        DiffusionSettings d = DiffusionSettings.DEFAULTS;
        assertEquals(TextEncoder.Kind.TRANSFORMER, d.textEncoder(DiffusionConfig.CaptionSource.CAPTION));
        assertEquals(TextEncoder.Kind.MEAN, d.textEncoder(DiffusionConfig.CaptionSource.LABEL_NAME));
        assertEquals(2, d.textLayers());
        com.fasterxml.jackson.databind.node.ObjectNode tree = Json.MAPPER.valueToTree(d);
        tree.put("conditional", true).put("textEncoder", "mean");
        DiffusionSettings mean = Json.MAPPER.treeToValue(tree, DiffusionSettings.class);
        assertEquals(TextEncoder.Kind.MEAN, mean.textEncoder(DiffusionConfig.CaptionSource.CAPTION), "asked for by name");
        tree.put("conditional", false);
        Exception e = assertThrows(Exception.class, () -> Json.MAPPER.treeToValue(tree, DiffusionSettings.class));
        Throwable cause = e.getCause() == null ? e : e.getCause();
        assertEquals("textEncoder mean: only a conditional model encodes captions; add conditional or drop"
                + " textEncoder", cause.getMessage());
        tree.put("conditional", true).put("textEncoder", "lstm");
        Exception unknown = assertThrows(Exception.class, () -> Json.MAPPER.treeToValue(tree, DiffusionSettings.class));
        assertEquals("textEncoder lstm: use transformer or mean",
                (unknown.getCause() == null ? unknown : unknown.getCause()).getMessage());
    }

    @Test
    void trainingIsBitIdenticalOnRerunAndAResumedRunEqualsAnUninterruptedOne() {
        DiffusionConfig config = captioned(BARS, TextEncoder.Kind.TRANSFORMER);
        WorkerData data = DiffusionTrainerFixtures.bars(0, 24);
        DiffusionTrainer trainer = new DiffusionTrainer(config);
        TrainingState whole = trainer.initialState(3);
        TrainingState again = trainer.initialState(3);
        LocalSteps.run(trainer, trainer.newWorker(), whole, data, 4, 17, 0);
        LocalSteps.run(trainer, trainer.newWorker(), again, data, 4, 17, 0);
        assertTrue(whole.bitIdentical(again), "same seed, same state");

        TrainingState first = trainer.initialState(3);
        LocalSteps.run(trainer, trainer.newWorker(), first, data, 2, 17, 0);
        // Resume: the model rebuilt from its config as config.json records it, the state from the checkpoint.
        DiffusionConfig reread = Json.MAPPER.convertValue(Json.MAPPER.valueToTree(config), DiffusionConfig.class);
        assertEquals(config, reread);
        DiffusionTrainer resumed = new DiffusionTrainer(reread);
        TrainingState rest = first.copy();
        LocalSteps.run(resumed, resumed.newWorker(), rest, data, 2, 17, 0);
        assertTrue(whole.bitIdentical(rest), "2 + 2 steps with a rebuilt model equal 4 steps");
        assertFalse(Arrays.equals(trainer.initialState(3).get(DiffusionTrainer.PARAMS), whole.get(DiffusionTrainer.PARAMS)));
    }

    @Test
    void aTinyCaptionedRunsLossFalls() {
        DiffusionConfig config = captioned(BARS, TextEncoder.Kind.TRANSFORMER);
        WorkerData data = DiffusionTrainerFixtures.bars(0, 48);
        DiffusionTrainer trainer = new DiffusionTrainer(config);
        TrainingState state = trainer.initialState(4);
        double first = LocalSteps.run(trainer, trainer.newWorker(), state, data, 10, 5, 0).get("loss");
        LocalSteps.run(trainer, trainer.newWorker(), state, data, 40, 5, 1);
        double last = LocalSteps.run(trainer, trainer.newWorker(), state, data, 10, 5, 2).get("loss");
        assertTrue(Double.isFinite(last) && last < 0.6 * first, "loss over the first 10 steps " + first
                + ", over the last 10 of 60 " + last);
    }

    private static UNet net(DiffusionConfig config) {
        UNet net = new UNet(config.architecture(), 2);
        net.params().load(DiffusionSamplerTest.weights(config));
        return net;
    }

    private static float[][] predict(DiffusionConfig config, int[][] conditions) {
        return predict(net(config), conditions);
    }

    /** Both rows see the same noisy image at the same time step; only their conditions differ. */
    private static float[][] predict(UNet net, int[][] conditions) {
        int size = 28 * 28;
        float[] x = new float[size];
        new io.atelier.common.nn.Rng(3).fillGaussian(x, 0, size);
        float[] both = new float[2 * size];
        System.arraycopy(x, 0, both, 0, size);
        System.arraycopy(x, 0, both, size, size);
        HostArrays.load(net.input().matrix(2), both);
        net.setTimesAndConditions(new double[]{20, 20}, conditions, 2);
        Tensor y = net.forward(2);
        float[] all = HostArrays.toArray(y.matrix(2));
        return new float[][]{Arrays.copyOfRange(all, 0, size), Arrays.copyOfRange(all, size, 2 * size)};
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
