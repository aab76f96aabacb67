package io.atelier.common.families.diffusion;

import io.atelier.common.nn.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forward process and the reverse steps' algebra, without a network. */
class DiffusionScheduleTest {

    @Test
    void forwardProcessStatisticsMatchTheClosedForm() {
        for (NoiseSchedule.Kind kind : NoiseSchedule.Kind.values()) {
            NoiseSchedule s = new NoiseSchedule(kind, 1000);
            int n = 200_000;
            float[] x0 = new float[n];
            java.util.Arrays.fill(x0, 0.6f);
            float[] eps = new float[n];
            new Rng(3).fillGaussian(eps, 0, n);
            float[] xt = new float[n];
            for (int t : new int[]{0, 100, 500, 999}) {
                s.noise(x0, eps, 0, n, t, xt);
                double mean = 0;
                double sq = 0;
                for (float v : xt) {
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
    void ddimWithEtaOneBetweenNeighboursIsTheDdpmStep() {
        for (NoiseSchedule.Kind kind : NoiseSchedule.Kind.values()) {
            NoiseSchedule s = new NoiseSchedule(kind, 200);
            int n = 64;
            for (int t = s.timesteps() - 1; t >= 0; t -= 7) {
                float[] x = gaussian(n, t);
                float[] eps = gaussian(n, 1000 + t);
                float[] z = gaussian(n, 2000 + t);
                float[] a = x.clone();
                float[] b = x.clone();
                s.ddpmStep(a, eps, 0, n, t, z);
                s.ddimStep(b, eps, 0, n, t, t - 1, 1.0, z);
                for (int i = 0; i < n; i++) {
                    assertEquals(a[i], b[i], 2e-4 * Math.max(1, Math.abs(a[i])), kind + " step at t=" + t + ", value " + i);
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
        float[] x0 = gaussian(32, 1);
        float[] eps = gaussian(32, 2);
        float[] xt = new float[32];
        float[] v = new float[32];
        s.noise(x0, eps, 0, 32, 40, xt);
        s.velocity(x0, eps, 0, 32, 40, v);
        s.velocityToEps(xt, 0, v, 0, 32, 40);
        for (int i = 0; i < 32; i++) {
            assertEquals(eps[i], v[i], 1e-5, "eps from v at " + i);
        }
    }

    private static float[] gaussian(int n, long seed) {
        float[] v = new float[n];
        new Rng(seed).fillGaussian(v, 0, n);
        return v;
    }
}
