package io.atelier.common.families.dcgan;

import io.atelier.common.bench.GanStepBenchmark;
import io.atelier.common.compute.NativeThreads;
import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.LocalSteps;
import io.atelier.common.train.WorkerData;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DcganTrainerTest {

    /** Small widths keep every test fast; the wiring is the same as at full width. */
    static DcganConfig tiny(int size, int channels) {
        return DcganConfig.defaults(size, channels).withWidths(4, 4).withLatentDim(8).withBatchSize(4);
    }

    @Test
    void everySizeAndChannelCountTrainsAndSamplesImagesOfItsShape() {
        for (int size : new int[]{28, 32, 64}) {
            for (int channels : new int[]{1, 3}) {
                DcganConfig config = tiny(size, channels);
                DcganTrainer trainer = new DcganTrainer(config);
                TrainingState state = trainer.initialState(3);
                WorkerData data = GanStepBenchmark.syntheticData(config, 16, 1);
                Map<String, Double> m = LocalSteps.run(trainer, trainer.newWorker(), state, data, 1, 5, 0);
                assertEquals(DcganTrainer.METRICS, java.util.List.copyOf(m.keySet()));
                m.forEach((k, v) -> assertTrue(Double.isFinite(v), size + "x" + channels + " metric " + k + " = " + v));
                assertEquals(1, state.step());
                float[] grid = trainer.sampleGrid(state, 11, 3);
                assertEquals(3 * channels * size * size, grid.length, size + "x" + channels + " grid size");
                for (float v : grid) {
                    assertTrue(v >= -1f && v <= 1f, size + "x" + channels + ": pixel " + v + " outside [-1, 1]");
                }
            }
        }
    }

    @Test
    void sameSeedsGiveBitIdenticalStates() {
        DcganConfig config = tiny(28, 1);
        DcganTrainer trainer = new DcganTrainer(config);
        WorkerData data = GanStepBenchmark.syntheticData(config, 32, 2);
        TrainingState a = trainer.initialState(42);
        TrainingState b = trainer.initialState(42);
        assertTrue(a.bitIdentical(b), "initial states differ for the same seed");
        assertFalse(a.bitIdentical(trainer.initialState(43)), "initial states ignore the seed");

        DcganWorker reused = trainer.newWorker();
        LocalSteps.run(trainer, reused, a, data, 3, 7, 0);
        LocalSteps.run(trainer, reused, a, data, 2, 7, 1);
        // A different worker object per round (as after an executor restart) must agree.
        LocalSteps.run(trainer, trainer.newWorker(), b, data, 3, 7, 0);
        LocalSteps.run(trainer, trainer.newWorker(), b, data, 2, 7, 1);
        assertTrue(a.bitIdentical(b), "two runs with the same seeds diverged");

        TrainingState c = trainer.initialState(42);
        LocalSteps.run(trainer, trainer.newWorker(), c, data, 3, 8, 0);
        LocalSteps.run(trainer, trainer.newWorker(), c, data, 2, 8, 1);
        assertFalse(a.bitIdentical(c), "the run seed had no effect");
    }

    @Test
    void theNativeThreadCountDoesNotChangeTheState() {
        // Wide enough that the backend splits its kernels across threads.
        DcganConfig config = DcganConfig.defaults(28, 1).withWidths(32, 32).withLatentDim(16).withBatchSize(16);
        DcganTrainer trainer = new DcganTrainer(config);
        WorkerData data = GanStepBenchmark.syntheticData(config, 64, 3);
        int before = NativeThreads.get();
        try {
            TrainingState one = trainer.initialState(5);
            NativeThreads.set(1);
            LocalSteps.run(trainer, trainer.newWorker(), one, data, 2, 9, 0);
            TrainingState two = trainer.initialState(5);
            NativeThreads.set(2);
            LocalSteps.run(trainer, trainer.newWorker(), two, data, 2, 9, 0);
            assertTrue(one.bitIdentical(two), "one and two native threads gave different states");
        } finally {
            NativeThreads.set(before);
        }
    }

    @Test
    void trainingChangesBothNetworksAndAdvancesTheStep() {
        DcganConfig config = tiny(28, 1);
        DcganTrainer trainer = new DcganTrainer(config);
        TrainingState before = trainer.initialState(1);
        TrainingState after = before.copy();
        LocalSteps.run(trainer, trainer.newWorker(), after, GanStepBenchmark.syntheticData(config, 16, 3), 2, 1, 0);
        assertEquals(2, after.step());
        for (String name : before.tensors().keySet()) {
            assertFalse(Arrays.equals(before.get(name), after.get(name)), name + " did not change in two steps");
        }
    }

    @Test
    void emaFollowsTheWarmedUpDecayFormula() {
        DcganConfig config = tiny(28, 1).withEmaDecay(0.9);
        DcganTrainer trainer = new DcganTrainer(config);
        TrainingState state = trainer.initialState(9);
        float[] emaBefore = state.get(DcganTrainer.G_EMA).clone();
        float[] emaStatsBefore = state.get(DcganTrainer.G_EMA_STATS).clone();
        assertArrayEquals(state.get(DcganTrainer.G_PARAMS), emaBefore, "the EMA starts at G");
        LocalSteps.run(trainer, trainer.newWorker(), state, GanStepBenchmark.syntheticData(config, 16, 4), 1, 3, 0);
        float[] params = state.get(DcganTrainer.G_PARAMS);
        float[] ema = state.get(DcganTrainer.G_EMA);
        float[] stats = state.get(DcganTrainer.G_STATS);
        float[] emaStats = state.get(DcganTrainer.G_EMA_STATS);
        // Step 1 of the warm-up: decay min(0.9, (1 + 1) / (10 + 1)).
        float decay = (float) Math.min(0.9, 2.0 / 11.0);
        boolean differs = false;
        for (int i = 0; i < ema.length; i++) {
            float expected = decay * emaBefore[i] + (1 - decay) * params[i];
            assertEquals(expected, ema[i], 1e-6f * Math.max(1f, Math.abs(expected)), "EMA parameter " + i);
            differs |= ema[i] != params[i];
        }
        assertTrue(differs, "after a step the EMA should differ from G");
        for (int i = 0; i < emaStats.length; i++) {
            assertEquals(decay * emaStatsBefore[i] + (1 - decay) * stats[i], emaStats[i], 1e-6f, "EMA running statistic " + i);
        }
    }

    @Test
    void conditionalSamplingCyclesClassesAndDependsOnlyOnSeedIndexAndLabel() {
        DcganConfig config = tiny(28, 1).withConditional(3);
        DcganTrainer trainer = new DcganTrainer(config);
        TrainingState state = trainer.initialState(5);
        WorkerData data = GanStepBenchmark.syntheticData(config, 24, 5);
        LocalSteps.run(trainer, trainer.newWorker(), state, data, 3, 2, 0);
        int size = 28 * 28;

        float[] grid = trainer.sampleGrid(state, 77, 7);
        assertEquals(7 * size, grid.length);
        DcganSampler sampler = trainer.newSampler(4);
        float[] explicit = sampler.generate(state, 77, new long[]{0, 1, 2, 3, 4, 5, 6}, new int[]{0, 1, 2, 0, 1, 2, 0});
        // The grid and this call batch the samples differently (7 vs 4 at a time), and native
        // kernels may round differently per batch shape: equal up to float rounding.
        assertArrayEquals(grid, explicit, 1e-5f, "the grid is sample i with class i mod 3");

        // Evaluation-mode batch norm makes a sample independent of its batch; kernels may still
        // round differently for another batch size, so this is equality up to float rounding.
        float[] alone = sampler.generate(state, 77, new long[]{4}, new int[]{1});
        assertArrayEquals(Arrays.copyOfRange(grid, 4 * size, 5 * size), alone, 1e-5f, "a sample must not depend on its batch");
        float[] otherClass = sampler.generate(state, 77, new long[]{4}, new int[]{2});
        assertFalse(Arrays.equals(alone, otherClass), "the label had no effect on the image");
        float[] otherSeed = sampler.generate(state, 78, new long[]{4}, new int[]{1});
        assertFalse(Arrays.equals(alone, otherSeed), "the seed had no effect on the image");

        assertThrows(IllegalArgumentException.class, () -> sampler.generate(state, 77, new long[]{0}, new int[]{3}));
    }

    @Test
    void conditionalTrainingRejectsUnlabelledData() {
        DcganConfig config = tiny(28, 1).withConditional(3);
        DcganTrainer trainer = new DcganTrainer(config);
        WorkerData unlabelled = GanStepBenchmark.syntheticData(tiny(28, 1), 8, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalSteps.run(trainer, trainer.newWorker(), trainer.initialState(1), unlabelled, 1, 1, 0));
        assertTrue(e.getMessage().contains("label"), e.getMessage());
        WorkerData wrongSize = GanStepBenchmark.syntheticData(tiny(32, 1), 8, 1);
        assertThrows(IllegalArgumentException.class,
                () -> {
                    DcganTrainer small = new DcganTrainer(tiny(28, 1));
                    LocalSteps.run(small, small.newWorker(), small.initialState(1), wrongSize, 1, 1, 0);
                });
    }

    @Test
    void latentOfASampleDependsOnlyOnSeedAndIndex() {
        float[] a = new float[8];
        float[] b = new float[16];
        DcganSampler.latent(3, 12, a, 0, 8);
        DcganSampler.latent(3, 12, b, 8, 8);
        assertArrayEquals(a, Arrays.copyOfRange(b, 8, 16));
        DcganSampler.latent(3, 13, b, 0, 8);
        assertFalse(Arrays.equals(a, Arrays.copyOfRange(b, 0, 8)));
        double sum = 0;
        double sq = 0;
        Rng rng = new Rng(1);
        for (int i = 0; i < 20000; i++) {
            double v = rng.nextGaussian();
            sum += v;
            sq += v * v;
        }
        assertEquals(0, sum / 20000, 0.03, "Gaussian mean");
        assertEquals(1, sq / 20000, 0.05, "Gaussian variance");
    }
}
