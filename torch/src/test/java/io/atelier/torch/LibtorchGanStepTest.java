package io.atelier.torch;

import io.atelier.common.bench.GanStepBenchmark;
import io.atelier.common.families.dcgan.DcganArchitecture;
import io.atelier.common.families.dcgan.DcganTrainer;
import io.atelier.common.families.dcgan.DcganWorker;
import io.atelier.common.nn.ParamLayout;
import io.atelier.common.runs.TrainingState;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Atelier's DCGAN step and the libtorch one compute the same thing: from the same initial
 * weights and inputs, the D and G losses and the updated parameters and batch-norm statistics
 * agree to {@value #TOLERANCE} in absolute difference (parameters are O(0.02-1); Adam moves
 * each by up to the learning rate, 2e-4, per step).
 *
 * <p>Three tensors are compared differently: the biases right before a batch norm (G's fc.bias
 * and up1.bias, D's conv1.bias). The normalisation subtracts them out, so their gradient is 0
 * and each implementation computes rounding noise (|g| below 1e-4, checked); Adam's first step
 * divides it by its own magnitude and moves the bias by up to the learning rate in a random
 * direction. They are checked to differ by no more than two such moves per step; the running
 * means they shift are compared after one step only.
 *
 * <p>Both implementations sum in float (Atelier's batch-norm sums are backend reductions), so a
 * weight whose gradient is itself at the level of that rounding takes Adam's first move in
 * either direction too: in any tensor at most {@value #NOISE_SHARE} of the elements may differ
 * by more than {@value #TOLERANCE}, and by no more than two such moves per step; losses after the
 * first step, which all weights feed, agree to {@value #LATER_LOSS_TOLERANCE}.
 */
class LibtorchGanStepTest {
    private static final double TOLERANCE = 1e-4;
    /** Losses after updated weights: a few weights that moved oppositely (see the class doc) shift them. */
    private static final double LATER_LOSS_TOLERANCE = 1e-3;
    /** Share of a tensor's elements that may move oppositely on a noise-level gradient. */
    private static final double NOISE_SHARE = 5e-3;
    private static final int BATCH = 64;
    private static final Set<String> BIASES_BEFORE_BATCH_NORM = Set.of("G fc.bias", "G up1.bias", "D conv1.bias");

    @Test
    void oneStepFromTheSameWeightsAndInputsAgrees() {
        GanStepBenchmark.Start start = GanStepBenchmark.Start.reference(BATCH);
        Outcome atelier = atelier(start, 1);
        Map<String, Double> worst = differences(start, atelier, libtorch(start, 1, 0), true);
        System.out.println("atelier vs libtorch after 1 step, max |difference| per tensor: " + worst);
        assertAgree(worst, start, 1);
        assertNoiseGradients(start, atelier);
    }

    @Test
    void threeStepsAgree() {
        // From step 2 on Adam's update depends on both betas and on gradient magnitudes, not only
        // signs, and the losses of steps 2 and 3 on all updated weights.
        GanStepBenchmark.Start start = GanStepBenchmark.Start.reference(BATCH);
        Map<String, Double> worst = differences(start, atelier(start, 3), libtorch(start, 3, 0), false);
        System.out.println("atelier vs libtorch after 3 steps, max |difference| per tensor: " + worst);
        assertAgree(worst, start, 3);
    }

    @Test
    void differentInputsAreCaught() {
        // libtorch takes step 1's real batch and z where Atelier takes step 0's.
        GanStepBenchmark.Start start = GanStepBenchmark.Start.reference(BATCH);
        Map<String, Double> worst = differences(start, atelier(start, 1), libtorch(start, 1, 1), true);
        System.out.println("atelier vs libtorch on other inputs, max |difference| per tensor: " + worst);
        assertTrue(worst.get("d_loss") > TOLERANCE, "D losses agree on different inputs: " + worst);
        assertTrue(worst.get("g_loss") > TOLERANCE, "G losses agree on different inputs: " + worst);
        assertTrue(worst.get("G out.weight") > TOLERANCE && worst.get("D conv0.weight") > TOLERANCE,
                "weights agree after steps on different inputs: " + worst);
    }

    @Test
    void benchProviderStartsFromTheSameWeights() {
        try (LibtorchGanStep step = (LibtorchGanStep) new LibtorchGanStep.Provider().open(8, 1)) {
            GanStepBenchmark.Start start = GanStepBenchmark.Start.reference(8);
            assertEquals(0, maxAbs(start.state().get(DcganTrainer.G_PARAMS), step.generatorParams()));
            assertEquals(0, maxAbs(start.state().get(DcganTrainer.D_PARAMS), step.discriminatorParams()));
            assertEquals(0, maxAbs(start.state().get(DcganTrainer.G_STATS), step.generatorStats()));
            assertEquals(1, step.threads());
        }
    }

    /** The noise-driven biases may differ by what two opposite Adam moves of about the learning rate per step give. */
    private static void assertAgree(Map<String, Double> worst, GanStepBenchmark.Start start, int steps) {
        double noiseBound = 2.02 * start.config().learningRate() * steps;
        worst.forEach((what, diff) -> {
            if (what.endsWith(SHARE)) {
                return;
            }
            double bound;
            if (BIASES_BEFORE_BATCH_NORM.contains(what)) {
                bound = noiseBound;
            } else if (what.endsWith("_loss")) {
                bound = steps == 1 ? TOLERANCE : LATER_LOSS_TOLERANCE;
            } else {
                double share = worst.getOrDefault(what + SHARE, 0.0);
                assertTrue(share <= NOISE_SHARE, what + ": " + share + " of its elements differ by more than " + TOLERANCE);
                bound = noiseBound;
            }
            assertTrue(diff <= bound, what + " differs by " + diff);
        });
    }

    private static final String SHARE = " share over tolerance";

    /** Atelier's gradients of the biases before a batch norm are noise; Adam's m holds (1 - beta1) g after step 1. */
    private static void assertNoiseGradients(GanStepBenchmark.Start start, Outcome atelier) {
        DcganArchitecture arch = DcganTrainer.architecture(start.config());
        double scale = 1 - start.config().beta1();
        for (String name : BIASES_BEFORE_BATCH_NORM) {
            boolean g = name.startsWith("G ");
            ParamLayout.Entry e = (g ? arch.generatorParams() : arch.discriminatorParams()).get(name.substring(2));
            float[] m = g ? atelier.gAdamM() : atelier.dAdamM();
            for (int i = e.offset(); i < e.offset() + e.length(); i++) {
                assertTrue(Math.abs(m[i] / scale) < 1e-4, name + " has gradient " + m[i] / scale + ", expected rounding noise");
            }
        }
    }

    private record Outcome(double[][] losses, float[] gParams, float[] dParams, float[] gStats, float[] dStats,
                           float[] gAdamM, float[] dAdamM) {
    }

    private static Outcome atelier(GanStepBenchmark.Start start, int steps) {
        TrainingState state = start.state().copy();
        DcganWorker worker = new DcganTrainer(start.config()).newWorker();
        worker.bind(state, start.data());
        double[] metrics = new double[DcganTrainer.METRICS.size()];
        double[][] losses = new double[steps][];
        for (int i = 0; i < steps; i++) {
            worker.step(GanStepBenchmark.Start.RUN_SEED, 0, i, metrics);
            losses[i] = new double[] {metrics[0], metrics[1]};
        }
        worker.unbind(state);
        return new Outcome(losses, state.get(DcganTrainer.G_PARAMS), state.get(DcganTrainer.D_PARAMS),
                state.get(DcganTrainer.G_STATS), state.get(DcganTrainer.D_STATS), state.get(DcganTrainer.G_ADAM_M),
                state.get(DcganTrainer.D_ADAM_M));
    }

    private static Outcome libtorch(GanStepBenchmark.Start start, int steps, int firstIndex) {
        try (LibtorchGanStep step = new LibtorchGanStep(start, 0)) {
            double[][] losses = new double[steps][];
            for (int i = 0; i < steps; i++) {
                losses[i] = step.step(firstIndex + i);
            }
            return new Outcome(losses, step.generatorParams(), step.discriminatorParams(), step.generatorStats(),
                    step.discriminatorStats(), null, null);
        }
    }

    /** Largest |difference| of each loss over the steps, of each parameter tensor and (with {@code stats}) each statistic. */
    private static Map<String, Double> differences(GanStepBenchmark.Start start, Outcome a, Outcome b, boolean stats) {
        Map<String, Double> worst = new LinkedHashMap<>();
        double d = 0;
        double g = 0;
        for (int i = 0; i < a.losses().length; i++) {
            d = Math.max(d, Math.abs(a.losses()[i][0] - b.losses()[i][0]));
            g = Math.max(g, Math.abs(a.losses()[i][1] - b.losses()[i][1]));
        }
        worst.put("d_loss", d);
        worst.put("g_loss", g);
        DcganArchitecture arch = DcganTrainer.architecture(start.config());
        perTensor(worst, "G ", arch.generatorParams(), a.gParams(), b.gParams());
        perTensor(worst, "D ", arch.discriminatorParams(), a.dParams(), b.dParams());
        if (stats) {
            perTensor(worst, "G ", arch.generatorStats(), a.gStats(), b.gStats());
            perTensor(worst, "D ", arch.discriminatorStats(), a.dStats(), b.dStats());
        }
        return worst;
    }

    private static void perTensor(Map<String, Double> worst, String prefix, ParamLayout layout, float[] a, float[] b) {
        assertEquals(a.length, b.length, "layouts differ");
        for (ParamLayout.Entry e : layout.entries()) {
            worst.put(prefix + e.name(), maxAbs(a, b, e.offset(), e.length()));
            int over = 0;
            for (int i = e.offset(); i < e.offset() + e.length(); i++) {
                over += Math.abs(a[i] - b[i]) > TOLERANCE ? 1 : 0;
            }
            worst.put(prefix + e.name() + SHARE, over / (double) e.length());
        }
    }

    private static double maxAbs(float[] a, float[] b) {
        assertEquals(a.length, b.length, "layouts differ");
        return maxAbs(a, b, 0, a.length);
    }

    private static double maxAbs(float[] a, float[] b, int from, int length) {
        double m = 0;
        for (int i = from; i < from + length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
