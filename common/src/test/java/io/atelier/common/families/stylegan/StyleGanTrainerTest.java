package io.atelier.common.families.stylegan;

import io.atelier.common.families.SamplingOptions;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.ParamLayout;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.LocalSteps;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.WorkerData;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StyleGanTrainerTest {
    private static final int SIZE = 8;

    /** 8x8 grey images, 3 channels per layer, z and w of 4, one mapping layer, batch 4. */
    static StyleGanConfig tiny(int workers) {
        return new StyleGanConfig(SIZE, 1, 4, 1, 3, 4, 2e-3, 0.0, 0.99, 0.5, 16, 0.9, 0.01, workers);
    }

    /** Worker {@code worker}'s images: a bright square at a random place on a dark ground, with noise. */
    static WorkerData squares(int worker, int count, long seed) {
        Rng rng = new Rng(seed);
        byte[] pixels = new byte[count * SIZE * SIZE];
        for (int i = 0; i < count; i++) {
            int x0 = rng.nextInt(5);
            int y0 = rng.nextInt(5);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    boolean on = x >= x0 && x < x0 + 3 && y >= y0 && y < y0 + 3;
                    pixels[i * SIZE * SIZE + y * SIZE + x] = (byte) ((on ? 220 : 30) + rng.nextInt(11) - 5);
                }
            }
        }
        return new WorkerData(worker, count, 1, SIZE, SIZE, pixels, new int[count]);
    }

    @Test
    void aTinyRunIsFiniteChangesBothNetworksAndTracksTheMeanW() {
        StyleGanTrainer trainer = new StyleGanTrainer(tiny(1));
        TrainingState state = trainer.initialState(3);
        TrainingState initial = state.copy();
        WorkerData data = squares(0, 24, 7);
        ModelTrainer.LocalWorker worker = trainer.newWorker();
        Map<String, Double> first = LocalSteps.run(trainer, worker, state, data, 3, 11, 0);
        assertEquals(StyleGanTrainer.METRICS, List.copyOf(first.keySet()));
        first.forEach((k, v) -> assertTrue(Double.isFinite(v), k + " = " + v));
        assertTrue(first.get("r1") > 0, "step 0 is an R1 step: " + first);
        Map<String, Double> second = LocalSteps.run(trainer, worker, state, data, 3, 11, 1);
        assertEquals(0.0, second.get("r1"), "steps 3 to 5 are not R1 steps");
        for (String name : List.of(StyleGanTrainer.G_PARAMS, StyleGanTrainer.D_PARAMS, StyleGanTrainer.G_EMA,
                StyleGanTrainer.W_AVG, StyleGanTrainer.G_ADAM_V, StyleGanTrainer.D_ADAM_V)) {
            assertFalse(Arrays.equals(initial.get(name), state.get(name)), name + " did not change");
        }
        assertArrayEquals(initial.get(StyleGanTrainer.NOISE_CONST), state.get(StyleGanTrainer.NOISE_CONST),
                "the constant noise maps are never trained");
        assertEquals(ModelTrainer.Combine.FIRST, trainer.combine(StyleGanTrainer.NOISE_CONST));
        assertEquals(ModelTrainer.Combine.MEAN, trainer.combine(StyleGanTrainer.W_AVG));
        float[] grid = trainer.sampleGrid(state, 0, 5);
        assertEquals(5 * SIZE * SIZE, grid.length);
        for (float v : grid) {
            assertTrue(v >= -1f && v <= 1f, "pixel " + v + " outside [-1, 1]");
        }
    }

    @Test
    void sameSeedsGiveBitIdenticalStatesWithAReusedOrFreshWorker() {
        // With and without path length (steps 0 and 4 of 0..5 are path-length steps).
        for (StyleGanConfig config : List.of(tiny(2), tiny(2).withPlWeight(2))) {
            StyleGanTrainer trainer = new StyleGanTrainer(config);
            WorkerData data = squares(1, 16, 5);
            TrainingState a = trainer.initialState(42);
            TrainingState b = trainer.initialState(42);
            assertTrue(a.bitIdentical(b));
            assertFalse(a.bitIdentical(trainer.initialState(43)), "initial states ignore the seed");
            ModelTrainer.LocalWorker reused = trainer.newWorker();
            LocalSteps.run(trainer, reused, a, data, 3, 7, 0);
            LocalSteps.run(trainer, reused, a, data, 3, 7, 1);
            LocalSteps.run(trainer, trainer.newWorker(), b, data, 3, 7, 0);
            LocalSteps.run(trainer, trainer.newWorker(), b, data, 3, 7, 1);
            assertTrue(a.bitIdentical(b), "two runs with the same seeds diverged, pl weight " + config.plWeight());
        }
    }

    /**
     * --pl-weight 2 against 0 from the same state: step 0's D step comes before the path-length
     * step, so D is the same and G is not; pl_mean starts at 0, moves by 0.01 of the way to the
     * step's mean |J^T y| on steps 0 and 4 only, and the logged penalty is mean (|J^T y| - pl_mean)^2.
     */
    @Test
    void pathLengthStepsEveryFourthGStepMovePlMeanAndOnlyG() {
        StyleGanConfig off = tiny(1);
        StyleGanTrainer plain = new StyleGanTrainer(off);
        StyleGanTrainer withPl = new StyleGanTrainer(off.withPlWeight(2));
        WorkerData data = squares(0, 16, 5);
        TrainingState a = plain.initialState(42);
        TrainingState b = withPl.initialState(42);
        assertEquals(Set.copyOf(a.tensors().keySet()), Set.of(StyleGanTrainer.G_PARAMS, StyleGanTrainer.G_ADAM_M,
                StyleGanTrainer.G_ADAM_V, StyleGanTrainer.G_EMA, StyleGanTrainer.W_AVG, StyleGanTrainer.NOISE_CONST,
                StyleGanTrainer.D_PARAMS, StyleGanTrainer.D_ADAM_M, StyleGanTrainer.D_ADAM_V), "--pl-weight 0 adds no tensor");
        assertArrayEquals(new float[]{0f}, b.get(StyleGanTrainer.PL_MEAN));
        assertEquals(ModelTrainer.Combine.MEAN, withPl.combine(StyleGanTrainer.PL_MEAN), "pl_mean is averaged as w_avg is");

        Map<String, Double> ma = LocalSteps.run(plain, plain.newWorker(), a, data, 1, 7, 0);
        Map<String, Double> mb = LocalSteps.run(withPl, withPl.newWorker(), b, data, 1, 7, 0);
        assertArrayEquals(a.get(StyleGanTrainer.D_PARAMS), b.get(StyleGanTrainer.D_PARAMS), "D's step precedes path length");
        assertFalse(Arrays.equals(a.get(StyleGanTrainer.G_PARAMS), b.get(StyleGanTrainer.G_PARAMS)), "path length moved G");
        assertEquals(0.0, ma.get("pl_penalty"));
        assertEquals(0.0, ma.get("pl_mean"));
        float mean1 = b.get(StyleGanTrainer.PL_MEAN)[0];
        assertTrue(mean1 > 0, "pl_mean after step 0: " + mean1);
        assertEquals(mean1, mb.get("pl_mean"), 0.0, "the metric is the state's pl_mean");
        // From 0, pl_mean = 0.01 mean|g|, so mean (|g| - pl_mean)^2 >= (mean|g| - pl_mean)^2 = (99 pl_mean)^2.
        assertTrue(mb.get("pl_penalty") >= 0.999 * Math.pow(99 * mean1, 2), mb + " against pl_mean " + mean1);

        Map<String, Double> between = LocalSteps.run(withPl, withPl.newWorker(), b, data, 3, 7, 1);
        assertEquals(0.0, between.get("pl_penalty"), "steps 1 to 3 are not path-length steps");
        assertEquals(mean1, b.get(StyleGanTrainer.PL_MEAN)[0], 0f, "pl_mean holds between path-length steps");
        Map<String, Double> fourth = LocalSteps.run(withPl, withPl.newWorker(), b, data, 1, 7, 2);
        assertTrue(fourth.get("pl_penalty") > 0, "step 4 is a path-length step");
        assertTrue(b.get(StyleGanTrainer.PL_MEAN)[0] != mean1, "step 4 moves pl_mean");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> withPl.newWorker().bind(plain.initialState(1), data));
        assertTrue(e.getMessage().contains("plWeight 2.0") && !e.getMessage().contains("\n"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> off.withPlWeight(-1));
        assertTrue(bad.getMessage().startsWith("plWeight"), bad.getMessage());
    }

    @Test
    void aConfigJsonWrittenBeforePathLengthReadsBackWithItOff() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode json = io.atelier.common.io.Json.MAPPER.valueToTree(tiny(2).withPlWeight(2));
        assertEquals(2.0, json.get("plWeight").asDouble());
        json.remove("plWeight");
        StyleGanConfig old = io.atelier.common.io.Json.MAPPER.treeToValue(json, StyleGanConfig.class);
        assertEquals(tiny(2), old);
    }

    @Test
    void theEmaHalfLifeIsInImagesSeenByTheRun() {
        StyleGanConfig c = new StyleGanConfig(SIZE, 1, 4, 1, 3, 32, 2e-3, 0.0, 0.99, 0.5, 16, 0.9, 10, 2);
        // 2 workers x 32 images per step: 10,000 / 64 steps to halve.
        assertEquals(0.5, Math.pow(c.emaDecay(), 10_000 / 64.0), 1e-9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StyleGanConfig(SIZE, 1, 4, 1, 3, 6, 2e-3, 0.0, 0.99, 0.5, 16, 0.9, 10, 2));
        assertTrue(e.getMessage().startsWith("batch 6") && e.getMessage().contains("multiple of 4"), e.getMessage());
    }

    /** A state whose EMA generator has noise strengths of 1, so that the noise modes differ. */
    private static TrainingState sampledState() {
        StyleGanTrainer trainer = new StyleGanTrainer(tiny(1));
        TrainingState state = trainer.initialState(5);
        LocalSteps.run(trainer, trainer.newWorker(), state, squares(0, 16, 3), 2, 1, 0);
        ParamLayout layout = tiny(1).architecture().generatorParams();
        float[] ema = state.get(StyleGanTrainer.G_EMA);
        for (ParamLayout.Entry e : layout.entries()) {
            if (e.name().endsWith("noise_strength")) {
                ema[e.offset()] = 1f;
            }
        }
        return state;
    }

    private static float[] image(float[] images, int i) {
        return Arrays.copyOfRange(images, i * SIZE * SIZE, (i + 1) * SIZE * SIZE);
    }

    private static StyleGanSampling spec(Double psi, Long mixSeed, String layers, String noise) {
        return StyleGanSampling.of(new SamplingOptions(null, null, null, null, null, psi, mixSeed, layers, noise), 4);
    }

    @Test
    void truncationZeroWithConstantNoiseGivesOneImageForEveryZ() {
        TrainingState state = sampledState();
        StyleGanSampler sampler = new StyleGanTrainer(tiny(1)).newSampler(3);
        long[] indices = {0, 1, 2, 3, 4};
        float[] mean = sampler.generate(state, 9, indices, spec(0.0, null, null, null));
        for (int i = 1; i < indices.length; i++) {
            assertArrayEquals(image(mean, 0), image(mean, i), "psi 0: sample " + i + " is the mean image");
        }
        float[] free = sampler.generate(state, 9, indices, StyleGanSampling.DEFAULT);
        assertFalse(Arrays.equals(image(free, 0), image(free, 1)), "psi 1 gives different images");
        float[] random = sampler.generate(state, 9, indices, spec(0.0, null, null, "random"));
        assertFalse(Arrays.equals(image(random, 0), image(random, 1)), "psi 0 with random noise still varies");
        float[] none = sampler.generate(state, 9, indices, spec(0.0, null, null, "none"));
        assertFalse(Arrays.equals(image(none, 0), image(mean, 0)), "no noise differs from the constant maps");
        // Sample i depends on (seed, i) alone: another batching gives the same image up to the kernels'
        // rounding (generate aligns its batches to global indices, so its bytes do not depend on partitioning).
        float[] alone = sampler.generate(state, 9, new long[]{3}, spec(null, null, null, "random"));
        float[] batched = sampler.generate(state, 9, indices, spec(null, null, null, "random"));
        assertArrayEquals(alone, image(batched, 3), 1e-5f, "sample 3 alone and in a batch of 5 (native batches of 3)");
        assertArrayEquals(batched, new StyleGanTrainer(tiny(1)).newSampler(3).generate(state, 9, indices,
                spec(null, null, null, "random")), "a fresh sampler, the same batches: the same bytes");
    }

    @Test
    void mixingLayersAToBTakesThoseStylesFromTheOtherSeed() {
        TrainingState state = sampledState();
        StyleGanConfig config = tiny(1);
        StyleGanSampler sampler = new StyleGanTrainer(config).newSampler(2);
        long[] indices = {4, 7};
        float[] mixed = sampler.generate(state, 9, indices, spec(null, 21L, "1-2", null));
        float[] plain = sampler.generate(state, 9, indices, StyleGanSampling.DEFAULT);
        assertFalse(Arrays.equals(mixed, plain), "mixing layers 1-2 changes the images");
        // All layers from the mixing seed: exactly the mixing seed's own samples.
        float[] all = sampler.generate(state, 9, indices, spec(null, 21L, "0-3", null));
        assertArrayEquals(sampler.generate(state, 21, indices, StyleGanSampling.DEFAULT), all);

        // By hand: map both latents, w 1 and 2 from seed 21, w 0 and 3 from seed 9, constant noise.
        StyleGanArchitecture arch = config.architecture();
        StyleGenerator g = new StyleGenerator(arch, new Params(arch.generatorParams()), 2);
        g.params().load(state.get(StyleGanTrainer.G_EMA));
        float[] z = new float[4 * 4];
        for (int r = 0; r < 2; r++) {
            StyleGanSampler.latent(9, indices[r], z, r * 4, 4);
            StyleGanSampler.latent(21, indices[r], z, (2 + r) * 4, 4);
        }
        HostArrays.load(g.z().rows(4).reshape(16), z);
        Tensor w = g.map(4);
        for (int l = 0; l < arch.numWs(); l++) {
            int from = l == 1 || l == 2 ? 2 : 0;
            g.wInput(l).matrix(2).assign(w.matrix(4).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + 2),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()));
        }
        float[] noise = state.get(StyleGanTrainer.NOISE_CONST);
        int offset = 0;
        for (Tensor map : g.noiseInputs()) {
            float[] rows = new float[2 * map.rowSize()];
            System.arraycopy(noise, offset, rows, 0, map.rowSize());
            System.arraycopy(noise, offset, rows, map.rowSize(), map.rowSize());
            HostArrays.load(map.rows(2).reshape(rows.length), rows);
            offset += map.rowSize();
        }
        float[] byHand = HostArrays.toArray(g.synthesize(2).rows(2).dup());
        for (int i = 0; i < byHand.length; i++) {
            byHand[i] = Math.max(-1f, Math.min(1f, byHand[i]));
        }
        // One channel: NHWC and NCHW are the same order.
        assertArrayEquals(byHand, mixed, 1e-6f, "layers 1-2 from seed 21, the rest from seed 9");
    }

    @Test
    void badSamplingOptionsAreRefusedInOneLineNamingTheLayerCount() {
        for (String layers : new String[]{"2-4", "3-1", "x", "-1-2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spec(null, 1L, layers, null));
            assertTrue(e.getMessage().contains("4 style layers (0-3)") && !e.getMessage().contains("\n"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec(null, 1L, null, null)).getMessage()
                .contains("go together"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec(null, null, null, "loud")).getMessage()
                .contains("const, random or none"));
        IllegalArgumentException steps = assertThrows(IllegalArgumentException.class, () -> StyleGanSampling.of(
                new SamplingOptions(null, 10, null, null, null), 4));
        assertTrue(steps.getMessage().startsWith("steps"), steps.getMessage());
    }
}
