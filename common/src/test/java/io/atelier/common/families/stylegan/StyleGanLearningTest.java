package io.atelier.common.families.stylegan;

import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.LocalSteps;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.WorkerData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small StyleGAN learns the pixel statistics of 8x8 images of a bright square on a dark ground:
 * 300 steps take its samples from mean pixel 0.31 and 67% bright pixels (untrained) to about the
 * data's -0.56 and 14% (measured: -0.62 and 8%).
 */
class StyleGanLearningTest {

    @Test
    void samplesTakeOnTheDarkGroundAndBrightSquareOfTheData() {
        StyleGanConfig config = new StyleGanConfig(8, 1, 16, 2, 16, 16, 2.5e-3, 0.0, 0.99, 0.05, 16, 0.9, 0.5, 1);
        StyleGanTrainer trainer = new StyleGanTrainer(config);
        TrainingState state = trainer.initialState(1);
        WorkerData data = StyleGanTrainerTest.squares(0, 256, 3);
        ModelTrainer.LocalWorker worker = trainer.newWorker();
        float[] before = trainer.sampleGrid(state, 5, 64);
        for (int round = 0; round < 15; round++) {
            LocalSteps.run(trainer, worker, state, data, 20, 9, round);
        }
        float[] after = trainer.sampleGrid(state, 5, 64);
        double[] real = stats(realPixels(data));
        double[] b = stats(before);
        double[] a = stats(after);
        assertTrue(Math.abs(a[0] - real[0]) < 0.15, "mean pixel " + a[0] + ", data " + real[0] + " (untrained " + b[0] + ")");
        assertTrue(Math.abs(a[1] - real[1]) < 0.08, "bright share " + a[1] + ", data " + real[1] + " (untrained " + b[1] + ")");
    }

    private static float[] realPixels(WorkerData data) {
        int[] idx = new int[64];
        for (int i = 0; i < 64; i++) {
            idx[i] = i;
        }
        float[] px = new float[64 * 64];
        data.batch(idx, px, null);
        return px;
    }

    /** Mean pixel and share of pixels above 0. */
    private static double[] stats(float[] px) {
        double sum = 0;
        int bright = 0;
        for (float v : px) {
            sum += v;
            bright += v > 0 ? 1 : 0;
        }
        return new double[]{sum / px.length, bright / (double) px.length};
    }
}
