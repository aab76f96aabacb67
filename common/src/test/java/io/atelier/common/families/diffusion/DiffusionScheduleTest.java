package io.atelier.common.families.diffusion;

import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The schedule and its formulas without a network: the ops that training and sampling run,
 * element by element against the same algebra written here in double precision.
 */
class DiffusionScheduleTest {
    private static final int ROWS = 4;
    private static final int COLS = 16;

    @Test
    void forwardProcessStatisticsMatchTheClosedForm() {
        for (NoiseSchedule.Kind kind : NoiseSchedule.Kind.values()) {
            NoiseSchedule s = new NoiseSchedule(kind, 1000);
            int rows = 200;
            int cols = 1000;
            int n = rows * cols;
            float[] x0 = new float[n];
            java.util.Arrays.fill(x0, 0.6f);
            float[] eps = gaussian(n, 3);
            INDArray xt = tensor(new float[n], rows, cols);
            for (int t : new int[]{0, 100, 500, 999}) {
                INDArray[] levels = levels(s, sameTime(rows, t));
                NoiseSchedule.noise(tensor(x0, rows, cols), tensor(eps, rows, cols), levels[0], levels[1],
                        tensor(new float[n], rows, cols), xt);
                double mean = 0;
                double sq = 0;
                for (float v : HostArrays.toArray(xt)) {
                    mean += v;
                    sq += (double) v * v;
                }
                mean /= n;
                double var = sq / n - mean * mean;
                double ab = s.alphaBar(t);
                assertEquals(Math.sqrt(ab) * 0.6, mean, 0.01, kind + " mean of x_" + t);
                assertEquals(1 - ab, var, 0.01 + 0.01 * (1 - ab), kind + " variance of x_" + t);
            }
            double product = 1;
            for (int t = 0; t < s.timesteps(); t++) {
                product *= 1 - s.beta(t);
                assertEquals(product, s.alphaBar(t), 1e-12, kind + " abar is the running product at " + t);
            }
        }
    }

    @Test
    void schedulesAreMonotoneWithTheirEndpointsAndTheCosineOffset() {
        NoiseSchedule linear = new NoiseSchedule(NoiseSchedule.Kind.LINEAR, 1000);
        assertEquals(1e-4, linear.beta(0), 1e-12, "linear beta_0");
        assertEquals(0.02, linear.beta(999), 1e-12, "linear beta_T");
        NoiseSchedule shortLinear = new NoiseSchedule(NoiseSchedule.Kind.LINEAR, 100);
        assertEquals(0.2, shortLinear.beta(99), 1e-12, "betas scale by 1000 / T");
        NoiseSchedule cosine = new NoiseSchedule(NoiseSchedule.Kind.COSINE, 1000);
        for (NoiseSchedule s : new NoiseSchedule[]{linear, shortLinear, cosine}) {
            for (int t = 1; t < s.timesteps(); t++) {
                assertTrue(s.beta(t) >= s.beta(t - 1), s.kind() + " betas never decrease at " + t);
                assertTrue(s.alphaBar(t) < s.alphaBar(t - 1), s.kind() + " abar falls at " + t);
                assertTrue(s.beta(t) <= NoiseSchedule.MAX_BETA);
            }
            assertTrue(s.alphaBar(s.timesteps() - 1) < 1e-3, s.kind() + " ends near pure noise: " + s.alphaBar(s.timesteps() - 1));
        }
        assertEquals(1.0, NoiseSchedule.cosineAlphaBar(0, 1000), 1e-12);
        // abar_t = f(t + 1) / f(0): the offset s = 0.008 keeps beta_0 small but not vanishing.
        for (int t : new int[]{0, 10, 500, 900}) {
            assertEquals(NoiseSchedule.cosineAlphaBar(t + 1, 1000), cosine.alphaBar(t), 1e-9, "cosine abar at " + t);
        }
        double f0 = Math.cos(0.008 / 1.008 * Math.PI / 2);
        double f1 = Math.cos((0.001 + 0.008) / 1.008 * Math.PI / 2);
        assertEquals(1 - f1 * f1 / (f0 * f0), cosine.beta(0), 1e-12, "cosine beta_0 with the offset");
        assertTrue(cosine.beta(0) > 1e-5 && cosine.beta(0) < 1e-4, "cosine beta_0 " + cosine.beta(0));
    }

    @Test
    void noiseAndVelocityUseEachRowsOwnLevels() {
        for (NoiseSchedule.Kind kind : NoiseSchedule.Kind.values()) {
            NoiseSchedule s = new NoiseSchedule(kind, 100);
            int[] times = {0, 41, 99, 7};
            float[] x0 = gaussian(ROWS * COLS, 1);
            float[] eps = gaussian(ROWS * COLS, 2);
            INDArray[] levels = levels(s, times);
            float[] signal = HostArrays.toArray(levels[0]);
            float[] noise = HostArrays.toArray(levels[1]);
            for (int r = 0; r < ROWS; r++) {
                assertEquals(Math.sqrt(s.alphaBar(times[r])), signal[r], 1e-7, kind + " sqrt(abar) of row " + r);
                assertEquals(Math.sqrt(1 - s.alphaBar(times[r])), noise[r], 1e-7, kind + " sqrt(1 - abar) of row " + r);
            }
            INDArray xt = tensor(new float[ROWS * COLS], ROWS, COLS);
            INDArray v = tensor(new float[ROWS * COLS], ROWS, COLS);
            NoiseSchedule.noise(tensor(x0, ROWS, COLS), tensor(eps, ROWS, COLS), levels[0], levels[1], scratch(), xt);
            NoiseSchedule.velocity(tensor(x0, ROWS, COLS), tensor(eps, ROWS, COLS), levels[0], levels[1], scratch(), v);
            double[] xtRef = new double[ROWS * COLS];
            double[] vRef = new double[ROWS * COLS];
            for (int i = 0; i < xtRef.length; i++) {
                double ab = s.alphaBar(times[i / COLS]);
                xtRef[i] = Math.sqrt(ab) * x0[i] + Math.sqrt(1 - ab) * eps[i];
                vRef[i] = Math.sqrt(ab) * eps[i] - Math.sqrt(1 - ab) * x0[i];
            }
            assertClose(xtRef, HostArrays.toArray(xt), 1e-6, kind + " x_t");
            assertClose(vRef, HostArrays.toArray(v), 1e-6, kind + " v");
        }
    }

    @Test
    void velocityToEpsMatchesTheFormula() {
        NoiseSchedule s = new NoiseSchedule(NoiseSchedule.Kind.COSINE, 100);
        float[] xt = gaussian(ROWS * COLS, 5);
        float[] v = gaussian(ROWS * COLS, 6);
        for (int t : new int[]{0, 40, 99}) {
            INDArray out = tensor(v, ROWS, COLS);
            s.velocityToEps(tensor(xt, ROWS, COLS), out, t, scratch());
            double ab = s.alphaBar(t);
            double[] ref = new double[v.length];
            for (int i = 0; i < ref.length; i++) {
                ref[i] = Math.sqrt(ab) * v[i] + Math.sqrt(1 - ab) * xt[i];
            }
            assertClose(ref, HostArrays.toArray(out), 1e-6, "eps from v at t=" + t);
        }
    }

    @Test
    void ddpmStepMatchesTheFormula() {
        for (NoiseSchedule.Kind kind : NoiseSchedule.Kind.values()) {
            NoiseSchedule s = new NoiseSchedule(kind, 200);
            for (int t : new int[]{199, 150, 60, 10, 1, 0}) {
                float[] x = gaussian(ROWS * COLS, t);
                float[] eps = gaussian(ROWS * COLS, 1000 + t);
                float[] z = gaussian(ROWS * COLS, 2000 + t);
                for (boolean noisy : new boolean[]{true, false}) {
                    INDArray out = tensor(x, ROWS, COLS);
                    s.ddpmStep(out, tensor(eps, ROWS, COLS), noisy ? tensor(z, ROWS, COLS) : null, t, scratch());
                    double ab = s.alphaBar(t);
                    double abPrev = t == 0 ? 1 : s.alphaBar(t - 1);
                    double beta = 1 - ab / abPrev;
                    double sd = t == 0 || !noisy ? 0 : Math.sqrt(beta * (1 - abPrev) / (1 - ab));
                    double[] ref = new double[x.length];
                    for (int i = 0; i < ref.length; i++) {
                        double clean = clip((x[i] - Math.sqrt(1 - ab) * eps[i]) / Math.sqrt(ab));
                        double mean = beta * Math.sqrt(abPrev) / (1 - ab) * clean + (1 - abPrev) * Math.sqrt(1 - beta) / (1 - ab) * x[i];
                        ref[i] = mean + sd * z[i];
                    }
                    assertClose(ref, HostArrays.toArray(out), 2e-5, kind + " DDPM step at t=" + t + (noisy ? " with noise" : ""));
                }
            }
        }
    }

    @Test
    void ddimStepMatchesTheFormula() {
        int[][] steps = {{199, 150}, {150, 100}, {60, 0}, {10, -1}, {1, 0}};
        for (NoiseSchedule.Kind kind : NoiseSchedule.Kind.values()) {
            NoiseSchedule s = new NoiseSchedule(kind, 200);
            for (int[] ts : steps) {
                int t = ts[0];
                int to = ts[1];
                float[] x = gaussian(ROWS * COLS, t);
                float[] eps = gaussian(ROWS * COLS, 1000 + t);
                float[] z = gaussian(ROWS * COLS, 2000 + t);
                for (double eta : new double[]{0, 0.5, 1}) {
                    INDArray out = tensor(x, ROWS, COLS);
                    s.ddimStep(out, tensor(eps, ROWS, COLS), tensor(z, ROWS, COLS), t, to, eta, scratch(), scratch());
                    double ab = s.alphaBar(t);
                    double abTo = to < 0 ? 1 : s.alphaBar(to);
                    double sigma = eta * Math.sqrt((1 - abTo) / (1 - ab) * (1 - ab / abTo));
                    double[] ref = new double[x.length];
                    for (int i = 0; i < ref.length; i++) {
                        double clean = clip((x[i] - Math.sqrt(1 - ab) * eps[i]) / Math.sqrt(ab));
                        double e = (x[i] - Math.sqrt(ab) * clean) / Math.sqrt(1 - ab);
                        ref[i] = Math.sqrt(abTo) * clean + Math.sqrt(Math.max(0, 1 - abTo - sigma * sigma)) * e + sigma * z[i];
                    }
                    assertClose(ref, HostArrays.toArray(out), 2e-5, kind + " DDIM step " + t + " -> " + to + ", eta " + eta);
                }
            }
        }
    }

    @Test
    void ddimWithEtaOneBetweenNeighboursIsTheDdpmStep() {
        for (NoiseSchedule.Kind kind : NoiseSchedule.Kind.values()) {
            NoiseSchedule s = new NoiseSchedule(kind, 200);
            for (int t = s.timesteps() - 1; t >= 0; t -= 7) {
                float[] x = gaussian(ROWS * COLS, t);
                float[] eps = gaussian(ROWS * COLS, 1000 + t);
                float[] z = gaussian(ROWS * COLS, 2000 + t);
                INDArray a = tensor(x, ROWS, COLS);
                INDArray b = tensor(x, ROWS, COLS);
                s.ddpmStep(a, tensor(eps, ROWS, COLS), tensor(z, ROWS, COLS), t, scratch());
                s.ddimStep(b, tensor(eps, ROWS, COLS), tensor(z, ROWS, COLS), t, t - 1, 1.0, scratch(), scratch());
                float[] ddpm = HostArrays.toArray(a);
                float[] ddim = HostArrays.toArray(b);
                for (int i = 0; i < ddpm.length; i++) {
                    assertEquals(ddpm[i], ddim[i], 2e-4 * Math.max(1, Math.abs(ddpm[i])), kind + " step at t=" + t + ", value " + i);
                }
            }
            assertEquals(s.timesteps(), s.ddimTimes(s.timesteps()).length);
            int[] ts = s.ddimTimes(5);
            assertEquals(s.timesteps() - 1, ts[0], "DDIM starts at T-1");
            assertEquals(0, ts[4], "and ends at 0");
        }
    }

    @Test
    void vPredictionRoundTripsToTheNoise() {
        NoiseSchedule s = new NoiseSchedule(NoiseSchedule.Kind.COSINE, 100);
        float[] x0 = gaussian(ROWS * COLS, 1);
        float[] eps = gaussian(ROWS * COLS, 2);
        INDArray[] levels = levels(s, sameTime(ROWS, 40));
        INDArray xt = scratch();
        INDArray v = scratch();
        NoiseSchedule.noise(tensor(x0, ROWS, COLS), tensor(eps, ROWS, COLS), levels[0], levels[1], scratch(), xt);
        NoiseSchedule.velocity(tensor(x0, ROWS, COLS), tensor(eps, ROWS, COLS), levels[0], levels[1], scratch(), v);
        s.velocityToEps(xt, v, 40, scratch());
        float[] back = HostArrays.toArray(v);
        for (int i = 0; i < back.length; i++) {
            assertEquals(eps[i], back[i], 1e-5, "eps from v at " + i);
        }
    }

    /** The [n, 1] columns sqrt(abar_t) and sqrt(1 - abar_t) of rows at {@code times}. */
    private static INDArray[] levels(NoiseSchedule s, int[] times) {
        float[] signal = new float[times.length];
        float[] noise = new float[times.length];
        s.levels(times, times.length, signal, noise);
        return new INDArray[]{tensor(signal, times.length, 1), tensor(noise, times.length, 1)};
    }

    private static int[] sameTime(int rows, int t) {
        int[] times = new int[rows];
        java.util.Arrays.fill(times, t);
        return times;
    }

    private static void assertClose(double[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), what + ", value " + i);
        }
    }

    private static double clip(double v) {
        return Math.max(-1, Math.min(1, v));
    }

    private static INDArray tensor(float[] values, int rows, int cols) {
        return HostArrays.of(values, rows, cols);
    }

    private static INDArray scratch() {
        return tensor(new float[ROWS * COLS], ROWS, COLS);
    }

    private static float[] gaussian(int n, long seed) {
        float[] v = new float[n];
        new Rng(seed).fillGaussian(v, 0, n);
        return v;
    }
}
