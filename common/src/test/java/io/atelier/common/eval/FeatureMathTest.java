package io.atelier.common.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureMathTest {

    static float[][] gaussian(int n, double[] mean, double[] std, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] out = new float[n][mean.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < mean.length; j++) {
                out[i][j] = (float) (mean[j] + std[j] * normal(rng));
            }
        }
        return out;
    }

    static double normal(SplittableRandom rng) {
        // Box-Muller: SplittableRandom has no nextGaussian
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    static FeatureStatistics statsOf(float[][] rows) {
        FeatureStatistics s = new FeatureStatistics(rows[0].length);
        for (float[] r : rows) {
            s.add(r);
        }
        return s;
    }

    @Test
    void fidOfASetWithItselfIsZero() {
        float[][] x = gaussian(500, new double[]{1, -2, 0.5, 3, 0, 0, 1, 2}, new double[]{1, 2, 0.3, 1, 4, 1, 1, 0.5}, 1);
        FeatureStatistics s = statsOf(x);
        double fid = FrechetDistance.between(s, s);
        assertEquals(0, fid, 1e-6, "FID of a set with itself");
    }

    @Test
    void fidOfDiagonalGaussiansEqualsClosedForm() {
        // For diagonal covariances, tr((C1 C2)^½) = Σ σ1 σ2, so FID = |m1-m2|² + Σ (σ1 - σ2)².
        double[] m1 = {0, 1, -1, 2};
        double[] m2 = {0.5, 1, 1, -2};
        double[] s1 = {1, 2, 0.5, 3};
        double[] s2 = {2, 0.5, 0.5, 1};
        double[][] c1 = new double[4][4];
        double[][] c2 = new double[4][4];
        double expected = 0;
        for (int i = 0; i < 4; i++) {
            c1[i][i] = s1[i] * s1[i];
            c2[i][i] = s2[i] * s2[i];
            expected += (m1[i] - m2[i]) * (m1[i] - m2[i]) + (s1[i] - s2[i]) * (s1[i] - s2[i]);
        }
        assertEquals(expected, FrechetDistance.between(m1, c1, m2, c2), 1e-9, "closed form of exact moments");

        // From samples: the estimate converges to the closed form.
        FeatureStatistics a = statsOf(gaussian(40_000, m1, s1, 2));
        FeatureStatistics b = statsOf(gaussian(40_000, m2, s2, 3));
        double sampled = FrechetDistance.between(a, b);
        assertEquals(expected, sampled, 0.02 * expected, "FID of 40k samples per side vs closed form " + expected);
    }

    @Test
    void fidOfAFullCovarianceMatchesARotatedDiagonalOne() {
        // A rotation of both Gaussians changes no distance: checks the off-diagonal path of the square root.
        double[] sa = {1, 3};
        double[] sb = {2, 0.5};
        double t = 0.7;
        double[][] r = {{Math.cos(t), -Math.sin(t)}, {Math.sin(t), Math.cos(t)}};
        double[][] ca = rotate(r, sa);
        double[][] cb = rotate(r, sb);
        double expected = (1 - 2) * (1 - 2) + (3 - 0.5) * (3 - 0.5);
        assertEquals(expected, FrechetDistance.between(new double[2], ca, new double[2], cb), 1e-9);
    }

    private static double[][] rotate(double[][] r, double[] std) {
        double[][] c = new double[2][2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                for (int k = 0; k < 2; k++) {
                    c[i][j] += r[i][k] * std[k] * std[k] * r[j][k];
                }
            }
        }
        return c;
    }

    @Test
    void mergedPartitionStatisticsEqualSinglePassStatistics() {
        float[][] x = gaussian(1000, new double[]{1, 2, 3}, new double[]{1, 1, 2}, 4);
        FeatureStatistics single = statsOf(x);
        FeatureStatistics[] parts = {new FeatureStatistics(3), new FeatureStatistics(3), new FeatureStatistics(3)};
        for (int i = 0; i < x.length; i++) {
            parts[(i * 7) % 3].add(x[i]);
        }
        FeatureStatistics merged = new FeatureStatistics(3).merge(parts[2]).merge(parts[0]).merge(parts[1]);
        assertEquals(single.count(), merged.count());
        assertArrayEquals(single.mean(), merged.mean(), 1e-12);
        double[][] cs = single.covariance();
        double[][] cm = merged.covariance();
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(cs[i], cm[i], 1e-9, "covariance row " + i);
        }
        assertEquals(2.0 * 2.0, cs[2][2], 0.5, "variance of the third feature (std 2)");
    }

    @Test
    void mergedReservoirsEqualOneReservoirOverAllVectors() {
        float[][] x = gaussian(500, new double[]{0, 0}, new double[]{1, 1}, 5);
        SplittableRandom keys = new SplittableRandom(6);
        long[] k = new long[x.length];
        FeatureReservoir single = new FeatureReservoir(50, 2);
        FeatureReservoir a = new FeatureReservoir(50, 2);
        FeatureReservoir b = new FeatureReservoir(50, 2);
        for (int i = 0; i < x.length; i++) {
            k[i] = keys.nextLong();
            single.offer(k[i], x[i]);
            (i % 3 == 0 ? a : b).offer(k[i], x[i]);
        }
        float[][] expected = single.features();
        float[][] merged = b.merge(a).features();
        assertEquals(50, merged.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], merged[i], "sample " + i);
        }
    }

    @Test
    void kidIsUnbiasedWhereTheBiasedEstimateIsNot() {
        // 1-D features, kernel (xy + 1)³ = <φ(x), φ(y)> with φ(x) = (x³, √3x², √3x, 1), so
        // MMD²(N(0,1), N(μ,1)) = (E x³ - E y³)² + 3(E x² - E y²)² + 3(E x - E y)²
        //                      = (μ³ + 3μ)² + 3μ⁴ + 3μ².
        double mu = 0.5;
        double truth = Math.pow(mu * mu * mu + 3 * mu, 2) + 3 * Math.pow(mu, 4) + 3 * mu * mu;
        int repeats = 3000;
        int m = 10;
        double sum = 0;
        double sumSq = 0;
        double biasedSum = 0;
        for (int r = 0; r < repeats; r++) {
            float[][] x = gaussian(m, new double[]{0}, new double[]{1}, 100 + 2L * r);
            float[][] y = gaussian(m, new double[]{mu}, new double[]{1}, 101 + 2L * r);
            double v = KernelInceptionDistance.mmdSquared(x, y);
            sum += v;
            sumSq += v * v;
            biasedSum += biased(x, y);
        }
        double mean = sum / repeats;
        double se = Math.sqrt((sumSq / repeats - mean * mean) / repeats);
        assertEquals(truth, mean, 4 * se, "mean of unbiased MMD² over " + repeats + " sets (standard error " + se + ")");
        double biasedMean = biasedSum / repeats;
        assertTrue(Math.abs(biasedMean - truth) > 8 * se,
                "the check must be able to tell: biased mean " + biasedMean + " vs truth " + truth);
    }

    private static double biased(float[][] x, float[][] y) {
        double kxx = 0;
        double kyy = 0;
        double kxy = 0;
        for (float[] a : x) {
            for (float[] b : x) {
                kxx += KernelInceptionDistance.kernel(a, b, 1);
            }
            for (float[] b : y) {
                kxy += KernelInceptionDistance.kernel(a, b, 1);
            }
        }
        for (float[] a : y) {
            for (float[] b : y) {
                kyy += KernelInceptionDistance.kernel(a, b, 1);
            }
        }
        double n = x.length;
        return (kxx + kyy - 2 * kxy) / (n * n);
    }

    @Test
    void kidOfTwoSamplesOfOneDistributionIsNearZeroAndOfDifferentOnesIsNot() {
        float[][] x = gaussian(400, new double[]{0, 0, 0}, new double[]{1, 1, 1}, 7);
        float[][] y = gaussian(400, new double[]{0, 0, 0}, new double[]{1, 1, 1}, 8);
        float[][] z = gaussian(400, new double[]{1, 0, 0}, new double[]{1, 1, 1}, 9);
        KernelInceptionDistance.Kid same = KernelInceptionDistance.compute(x, y, 20, 200, 1);
        KernelInceptionDistance.Kid different = KernelInceptionDistance.compute(x, z, 20, 200, 1);
        assertTrue(Math.abs(same.mean()) < 3 * same.std() + 1e-3, "same distribution: " + same);
        assertTrue(different.mean() > 10 * Math.max(same.std(), Math.abs(same.mean())), "different: " + different + " same: " + same);
    }

    @Test
    void precisionAndRecallSeparateFidelityFromCoverage() {
        float[][] real = gaussian(600, new double[]{0, 0}, new double[]{1, 1}, 10);
        float[][] same = gaussian(600, new double[]{0, 0}, new double[]{1, 1}, 11);
        // Mode collapse: every generated sample is realistic but they cover a small region.
        float[][] collapsed = gaussian(600, new double[]{0, 0}, new double[]{0.1, 0.1}, 12);
        PrecisionRecall.Result good = PrecisionRecall.compute(real, same, 3);
        PrecisionRecall.Result narrow = PrecisionRecall.compute(real, collapsed, 3);
        assertTrue(good.precision() > 0.85 && good.recall() > 0.85, "same distribution: " + good);
        assertTrue(narrow.precision() > 0.95, "collapsed samples are still realistic: " + narrow);
        assertTrue(narrow.recall() < 0.2, "collapsed samples cover little of the real set: " + narrow);
    }
}
