package io.atelier.common.families.dcgan;

import io.atelier.common.nn.Adam;
import io.atelier.common.nn.AdamMoments;
import io.atelier.common.nn.HostViews;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Losses;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.LocalSteps;
import io.atelier.common.train.WorkerData;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The losses move the way the game says they should, on tiny synthetic data. */
class DcganLearningTest {

    private static DcganConfig small() {
        return DcganConfig.reference().withWidths(8, 8).withLatentDim(16).withBatchSize(16);
    }

    /** Dark images with one bright vertical bar: trivially unlike an untrained generator's grey. */
    private static WorkerData bars(int count) {
        Rng rng = new Rng(99);
        byte[] px = new byte[count * 28 * 28];
        for (int n = 0; n < count; n++) {
            int x0 = 4 + rng.nextInt(18);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int v = x >= x0 && x < x0 + 4 ? 230 : 20;
                    px[n * 784 + y * 28 + x] = (byte) (v + rng.nextInt(16));
                }
            }
        }
        int[] labels = new int[count];
        java.util.Arrays.fill(labels, -1);
        return new WorkerData(0, count, 1, 28, 28, px, labels);
    }

    @Test
    void discriminatorLearnsToSeparateRealFromFake() {
        DcganTrainer trainer = new DcganTrainer(small().withLearningRate(1e-3));
        TrainingState state = trainer.initialState(4);
        WorkerData data = bars(64);
        DcganWorker worker = trainer.newWorker();
        Map<String, Double> first = LocalSteps.run(trainer, worker, state, data, 1, 1, 0);
        assertEquals(2 * Math.log(2), first.get("d_loss"), 0.2, "an untrained D should be near chance");
        Map<String, Double> later = null;
        for (int round = 1; round <= 3; round++) {
            later = LocalSteps.run(trainer, worker, state, data, 5, 1, round);
        }
        double gap = later.get("d_real") - later.get("d_fake");
        assertTrue(gap > 0.3, "D should tell real from fake after 16 steps: d_real " + later.get("d_real")
                + ", d_fake " + later.get("d_fake"));
        assertTrue(later.get("d_loss") < first.get("d_loss") - 0.3,
                "D loss should fall: first " + first.get("d_loss") + ", later " + later.get("d_loss"));
    }

    @Test
    void generatorLossFallsAgainstAFrozenDiscriminator() {
        DcganConfig config = small();
        DcganTrainer trainer = new DcganTrainer(config);
        DcganArchitecture arch = trainer.architecture();
        TrainingState state = trainer.initialState(6);
        int n = config.batchSize();
        DcganGenerator g = new DcganGenerator(arch, n);
        DcganDiscriminator d = new DcganDiscriminator(arch, n, 1);
        g.params().load(state.get(DcganTrainer.G_PARAMS));
        d.params().load(state.get(DcganTrainer.D_PARAMS));
        float[] dBefore = state.get(DcganTrainer.D_PARAMS).clone();
        float[] z = new float[n * config.latentDim()];
        new Rng(5).fillGaussian(z, 0, z.length);
        AdamMoments moments = new AdamMoments(g.params());
        Adam adam = new Adam(config.learningRate(), config.beta1(), config.beta2(), 1e-8);
        Tensor gradLogits = new Tensor(n, 1);
        int imageFloats = config.imageFloats();
        double firstLoss = 0;
        double lastLoss = 0;
        for (int step = 1; step <= 20; step++) {
            g.setInput(z, null, n);
            Tensor fake = g.forward(n, Layer.Pass.TRAIN);
            HostViews.floats(d.input()).put(0, HostViews.floats(fake), 0, n * imageFloats);
            Tensor logits = d.forward(n, Layer.Pass.TRAIN);
            double loss = Losses.bceWithLogits(logits.matrix(n), gradLogits.matrix(n), 1f, null);
            if (step == 1) {
                firstLoss = loss;
            }
            lastLoss = loss;
            g.backward(d.backward(gradLogits, n, Layer.Grads.INPUT), n);
            adam.step(g.params(), moments, step, 1.0);
        }
        assertTrue(lastLoss < firstLoss - 0.1, "G loss should fall against a fixed D: first " + firstLoss + ", last " + lastLoss);
        float[] dAfter = new float[dBefore.length];
        d.params().store(dAfter);
        assertArrayEquals(dBefore, dAfter, "D's parameters changed while frozen");
        for (int i = 0; i < dAfter.length; i++) {
            assertEquals(0f, HostViews.floats(d.params().grads()).get(i), "an input-only backward pass wrote D gradient " + i);
        }
    }
}
