package io.atelier.common.families.stylegan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atelier.common.families.stylegan.augment.AdaController;
import io.atelier.common.io.Json;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.LocalSteps;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.WorkerData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ADA in the StyleGAN worker and trainer: tiny 8x8 grey nets, one worker driven as the engine drives it. */
class StyleGanAdaTest {
    private static final int STEPS = 3;

    private static StyleGanConfig with(String mode, double p, double kimg) {
        return StyleGanTrainerTest.tiny(1).withAugment(new StyleGanAugment(mode, p, 0.6, kimg));
    }

    /** {@code rounds} rounds of one worker, each followed by the driver's update; returns each round's metrics. */
    private static List<Map<String, Double>> rounds(StyleGanTrainer trainer, TrainingState state, WorkerData data, int rounds,
                                                    int steps) {
        ModelTrainer.LocalWorker worker = trainer.newWorker();
        List<Map<String, Double>> out = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            int round = state.round();
            Map<String, Double> metrics = LocalSteps.run(trainer, worker, state, data, steps, 11, round);
            state = new TrainingState(state.tensors(), state.step(), round + 1);
            trainer.afterAveraging(state, metrics, (long) steps * trainer.imagesPerStep());
            out.add(metrics);
        }
        return out;
    }

    @Test
    void offKeepsTheStateOfTheModelWithoutAugmentationAndAdaAtPZeroLeavesTheImagesUntouched() {
        StyleGanTrainer off = new StyleGanTrainer(with(StyleGanAugment.OFF, 0, 500));
        StyleGanTrainer ada = new StyleGanTrainer(with(StyleGanAugment.ADA, 0, 500));
        StyleGanTrainer fixed = new StyleGanTrainer(with(StyleGanAugment.FIXED, 0.5, 500));
        TrainingState sOff = off.initialState(3);
        TrainingState sAda = ada.initialState(3);
        TrainingState sFixed = fixed.initialState(3);
        assertEquals(new StyleGanTrainer(StyleGanTrainerTest.tiny(1)).initialState(3).tensors().keySet(),
                sOff.tensors().keySet(), "off adds no tensor");
        assertArrayEquals(new float[]{0f}, sAda.get(StyleGanTrainer.ADA_P), "ADA starts at p = 0");
        assertEquals(ModelTrainer.Combine.FIRST, ada.combine(StyleGanTrainer.ADA_P));
        WorkerData data = StyleGanTrainerTest.squares(0, 24, 7);
        Map<String, Double> mOff = LocalSteps.run(off, off.newWorker(), sOff, data, STEPS, 11, 0);
        Map<String, Double> mAda = LocalSteps.run(ada, ada.newWorker(), sAda, data, STEPS, 11, 0);
        LocalSteps.run(fixed, fixed.newWorker(), sFixed, data, STEPS, 11, 0);
        for (String name : sOff.tensors().keySet()) {
            assertArrayEquals(sOff.get(name), sAda.get(name), name + ": ADA at p = 0 must show D the images untouched");
        }
        assertEquals(mOff, mAda, "same losses, r_t and p = 0");
        assertEquals(0.0, mOff.get("ada_p"));
        assertFalse(Arrays.equals(sOff.get(StyleGanTrainer.D_PARAMS), sFixed.get(StyleGanTrainer.D_PARAMS)),
                "at p = 0.5 D sees augmented images");
        assertFalse(Arrays.equals(sOff.get(StyleGanTrainer.G_PARAMS), sFixed.get(StyleGanTrainer.G_PARAMS)),
                "G's gradient comes through the augmentation");
    }

    @Test
    void augmentedRunsAreBitIdenticalOnRerun() {
        StyleGanTrainer fixed = new StyleGanTrainer(with(StyleGanAugment.FIXED, 0.8, 500));
        WorkerData data = StyleGanTrainerTest.squares(0, 24, 7);
        TrainingState a = fixed.initialState(3);
        TrainingState b = fixed.initialState(3);
        Map<String, Double> ma = LocalSteps.run(fixed, fixed.newWorker(), a, data, STEPS, 11, 0);
        Map<String, Double> mb = LocalSteps.run(fixed, fixed.newWorker(), b, data, STEPS, 11, 0);
        assertTrue(a.bitIdentical(b), "same seeds, same augmentation");
        assertEquals(ma, mb);
        assertEquals(0.8, ma.get("ada_p"), 1e-12);
        ma.forEach((k, v) -> assertTrue(Double.isFinite(v), k + " = " + v));
    }

    @Test
    void pRisesWhenDMemorisesEightImages() {
        // A wider D (8 channels) at lr 0.01 without R1 learns 8 images by heart within 100 steps; 400
        // images per unit of p: each round of 10 steps x 4 images moves p by 0.1 towards r_t's side.
        StyleGanConfig config = new StyleGanConfig(8, 1, 4, 1, 8, 4, 0.01, 0.0, 0.99, 0, 16, 0.9, 0.01, 1)
                .withAugment(new StyleGanAugment(StyleGanAugment.ADA, 0, 0.6, 0.4));
        StyleGanTrainer trainer = new StyleGanTrainer(config);
        TrainingState state = trainer.initialState(5);
        WorkerData eight = StyleGanTrainerTest.squares(0, 8, 9);
        List<Map<String, Double>> metrics = rounds(trainer, state, eight, 16, 10);
        AdaController controller = new AdaController(0.6, 400);
        double p = 0;
        double maxP = 0;
        StringBuilder trace = new StringBuilder();
        for (Map<String, Double> m : metrics) {
            assertEquals((float) p, m.get("ada_p"), 0.0, "the round augments with the p of the state it started from");
            p = (float) controller.next(p, m.get("ada_rt"), 40);
            maxP = Math.max(maxP, p);
            trace.append(String.format(" rt %.3f -> p %.3f;", m.get("ada_rt"), p));
        }
        assertEquals((float) p, state.get(StyleGanTrainer.ADA_P)[0], 0.0, "p follows the averaged r_t:" + trace);
        long confident = metrics.stream().filter(m -> m.get("ada_rt") > 0.6).count();
        assertTrue(confident >= 5, "D memorises 8 images: r_t above 0.6 in many rounds:" + trace);
        assertTrue(maxP >= 0.3 && p >= 0.2, "p rose and stays up:" + trace);
    }

    @Test
    void pStaysAtZeroWhileRtStaysBelowTheTargetAndFallsBackToIt() {
        // Driven through the trainer's per-round update with r_t values a large dataset gives (D cannot memorise it).
        StyleGanTrainer trainer = new StyleGanTrainer(with(StyleGanAugment.ADA, 0, 500));
        TrainingState state = trainer.initialState(1);
        for (double rt : new double[]{0.1, -0.3, 0.59, 0.4, 0.2}) {
            trainer.afterAveraging(state, Map.of("ada_rt", rt), 100_000);
            assertEquals(0f, state.get(StyleGanTrainer.ADA_P)[0], "r_t " + rt + " below the target keeps p at 0");
        }
        trainer.afterAveraging(state, Map.of("ada_rt", 0.9), 100_000);
        assertEquals(0.2f, state.get(StyleGanTrainer.ADA_P)[0], 1e-7f, "100k images above the target: +0.2");
        trainer.afterAveraging(state, Map.of("ada_rt", 0.5), 50_000);
        trainer.afterAveraging(state, Map.of("ada_rt", 0.5), 50_000);
        assertEquals(0.0f, state.get(StyleGanTrainer.ADA_P)[0], 1e-7f, "and back to 0 below it");
        StyleGanTrainer fixed = new StyleGanTrainer(with(StyleGanAugment.FIXED, 0.3, 500));
        TrainingState fixedState = fixed.initialState(1);
        TrainingState before = fixedState.copy();
        fixed.afterAveraging(fixedState, Map.of("ada_rt", 0.9), 100_000);
        assertTrue(before.bitIdentical(fixedState), "fixed p keeps no p in the state and moves nothing");
    }

    @Test
    void settingsAndConfigRoundTripAndRefuseBadValuesInOneLine() throws Exception {
        StyleGanConfig c = with(StyleGanAugment.ADA, 0.1, 20);
        assertEquals(c, Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(c), StyleGanConfig.class));
        ObjectNode withoutAugment = Json.MAPPER.valueToTree(StyleGanTrainerTest.tiny(1));
        assertTrue(withoutAugment.has("augment"));
        withoutAugment.remove("augment");
        assertEquals(StyleGanAugment.NONE, Json.MAPPER.treeToValue(withoutAugment, StyleGanConfig.class).augment(),
                "a config from before ADA reads back without augmentation");
        assertEquals(StyleGanAugment.ADA, StyleGanSettings.DEFAULTS.augment());
        assertEquals(0.6, StyleGanSettings.DEFAULTS.adaTarget());
        assertEquals(500, StyleGanSettings.DEFAULTS.adaKimg());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new StyleGanAugment("sometimes", 0, 0.6, 500))
                .getMessage().contains("use ada (adaptive p), fixed (with augmentP P) or off"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new StyleGanAugment("fixed", 1.5, 0.6, 500))
                .getMessage().startsWith("augmentP must be in [0, 1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new StyleGanAugment("off", 0.2, 0.6, 500))
                .getMessage().contains("no effect with augment off"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new StyleGanAugment("ada", 0, 1, 500))
                .getMessage().startsWith("adaTarget must be in (0, 1)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new StyleGanAugment("ada", 0, 0.6, 0))
                .getMessage().startsWith("adaKimg"));
        StyleGanTrainer ada = new StyleGanTrainer(c);
        TrainingState offState = new StyleGanTrainer(StyleGanTrainerTest.tiny(1)).initialState(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ada.newWorker().bind(offState, StyleGanTrainerTest.squares(0, 4, 1)));
        assertTrue(e.getMessage().contains("has no ADA p"), e.getMessage());
    }
}
