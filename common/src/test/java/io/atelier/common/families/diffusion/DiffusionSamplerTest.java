package io.atelier.common.families.diffusion;

import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.LocalSteps;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Samplers and guidance on a tiny randomly initialised conditional U-Net. */
class DiffusionSamplerTest {
    static final List<String> CLASSES = List.of("ankle boot", "sneaker", "bag");

    static DiffusionConfig tiny(int timesteps) {
        return DiffusionConfig.defaults(28, 1).withNetwork(4, List.of(1, 2, 2), true, 2)
                .withProcess(timesteps, NoiseSchedule.Kind.LINEAR, DiffusionConfig.Prediction.EPS)
                .withOptimizer(2e-3, 5, 1.0, 0.9, 8).withCaptions(CLASSES, 0.2);
    }

    /** Random weights scaled up so the network's output is far from zero and depends on its inputs. */
    static float[] weights(DiffusionConfig config) {
        float[] w = new DiffusionTrainer(config).initialState(5).get(DiffusionTrainer.EMA);
        Rng rng = new Rng(9);
        for (int i = 0; i < w.length; i++) {
            w[i] += (float) (0.05 * rng.nextGaussian());
        }
        return w;
    }

    @Test
    void ddimWithEtaZeroIsDeterministicAndUsesNoStepNoise() {
        DiffusionConfig config = tiny(40);
        DiffusionSampler sampler = new DiffusionSampler(config, 8);
        float[] w = weights(config);
        long[] idx = {0, 1, 2};
        int[][] cond = {config.vocabulary().caption(0), null, config.vocabulary().caption(2)};
        DiffusionSampler.Settings ddim = new DiffusionSampler.Settings(DiffusionSampler.Method.DDIM, 10, 0.0, 2.0);
        float[] a = sampler.sample(w, 7, idx, cond, ddim, null);
        float[] b = sampler.sample(w, 7, idx, cond, ddim, null);
        assertArrayEquals(a, b, "same seed, same images");
        float[] other = sampler.sample(w, 8, idx, cond, ddim, null);
        assertFalse(java.util.Arrays.equals(a, other), "another seed starts from other noise");
        float[] noisy = sampler.sample(w, 7, idx, cond, new DiffusionSampler.Settings(DiffusionSampler.Method.DDIM, 10, 0.5, 2.0), null);
        assertFalse(java.util.Arrays.equals(a, noisy), "eta > 0 adds step noise");
        for (float v : a) {
            assertTrue(v >= -1.0001f && v <= 1.0001f, "images end in [-1, 1]: " + v);
        }
    }

    @Test
    void ddimOverAllStepsWithEtaOneReproducesDdpm() {
        DiffusionConfig config = tiny(30);
        DiffusionSampler sampler = new DiffusionSampler(config, 8);
        float[] w = weights(config);
        long[] idx = {4, 5};
        int[][] cond = {config.vocabulary().caption(1), null};
        int[] steps = new int[1];
        float[] ddpm = sampler.sample(w, 3, idx, cond, new DiffusionSampler.Settings(DiffusionSampler.Method.DDPM, 1, 0, 1.5),
                (done, total, images) -> steps[0] = total);
        assertEquals(30, steps[0], "DDPM visits all T steps");
        float[] ddim = sampler.sample(w, 3, idx, cond, new DiffusionSampler.Settings(DiffusionSampler.Method.DDIM, 30, 1.0, 1.5), null);
        for (int i = 0; i < ddpm.length; i++) {
            assertEquals(ddpm[i], ddim[i], 2e-3, "DDIM(S=T, eta=1) vs DDPM at value " + i);
        }
    }

    @Test
    void guidanceZeroIsTheUnconditionalPredictionAndOneTheConditional() {
        DiffusionConfig config = tiny(50);
        DiffusionSampler sampler = new DiffusionSampler(config, 8);
        sampler.network().params().load(weights(config));
        int size = config.imageFloats();
        float[] x = new float[2 * size];
        new Rng(4).fillGaussian(x, 0, x.length);
        int[][] cond = {config.vocabulary().caption(0), config.vocabulary().caption(2)};
        int[][] none = {null, null};
        float[] g0 = new float[2 * size];
        float[] uncond = new float[2 * size];
        float[] g1 = new float[2 * size];
        float[] g3 = new float[2 * size];
        sampler.predictNoise(x, 2, 20, cond, 0.0, g0);
        sampler.predictNoise(x, 2, 20, none, 1.0, uncond);
        sampler.predictNoise(x, 2, 20, cond, 1.0, g1);
        sampler.predictNoise(x, 2, 20, cond, 3.0, g3);
        assertArrayEquals(uncond, g0, "guidance 0 is the unconditional prediction");
        assertFalse(java.util.Arrays.equals(uncond, g1), "the condition changes the prediction");
        for (int i = 0; i < g3.length; i++) {
            assertEquals(uncond[i] + 3 * (g1[i] - uncond[i]), g3[i], 1e-4, "eps_u + G (eps_c - eps_u) at " + i);
        }
    }

    @Test
    void promptsMapToCaptionWordsAndUnknownWordsListTheVocabulary() {
        Vocabulary v = tiny(10).vocabulary();
        assertEquals(List.of("ankle", "boot", "sneaker", "bag"), v.words());
        assertEquals(0, v.labelOf(v.encode("Boot, ankle")));
        assertEquals(-1, v.labelOf(v.encode("boot")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.encode("red sneaker"));
        assertTrue(e.getMessage().contains("unknown word red") && e.getMessage().contains("ankle, boot, sneaker, bag"),
                e.getMessage());
    }

    @Test
    void trainingStepsAreReproducibleAndMoveTheWeightsAndTheirAverage() {
        DiffusionConfig config = tiny(50);
        DiffusionTrainer trainer = new DiffusionTrainer(config);
        io.atelier.common.train.WorkerData data = DiffusionTrainerFixtures.bars(0, 48);
        TrainingState a = trainer.initialState(1);
        TrainingState b = trainer.initialState(1);
        TrainingState start = a.copy();
        LocalSteps.run(trainer, trainer.newWorker(), a, data, 3, 11, 0);
        LocalSteps.run(trainer, trainer.newWorker(), b, data, 3, 11, 0);
        assertTrue(a.bitIdentical(b), "same seed, same state");
        assertEquals(3, a.step());
        assertFalse(java.util.Arrays.equals(start.get(DiffusionTrainer.PARAMS), a.get(DiffusionTrainer.PARAMS)));
        assertFalse(java.util.Arrays.equals(start.get(DiffusionTrainer.EMA), a.get(DiffusionTrainer.EMA)));
    }
}
