package io.atelier.common.eval;

import java.util.SplittableRandom;

/**
 * KID (Bińkowski et al. 2018): the unbiased estimate of the squared MMD between two feature sets
 * under the cubic polynomial kernel k(x, y) = (x·y / d + 1)³, averaged over random subsets;
 * the spread over subsets is reported beside the mean.
 */
public final class KernelInceptionDistance {
    private KernelInceptionDistance() {
    }

    public record Kid(double mean, double std, int subsets, int subsetSize) {
    }

    /** Mean and standard deviation of MMD² over {@code subsets} draws of {@code subsetSize} per side. */
    public static Kid compute(float[][] x, float[][] y, int subsets, int subsetSize, long seed) {
        int m = Math.min(subsetSize, Math.min(x.length, y.length));
        if (m < 2) {
            throw new IllegalArgumentException("KID needs at least 2 samples per side, got " + x.length + " and " + y.length);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] values = new double[subsets];
        for (int s = 0; s < subsets; s++) {
            values[s] = mmdSquared(subset(x, m, rng), subset(y, m, rng));
        }
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= subsets;
        double var = 0;
        for (double v : values) {
            var += (v - mean) * (v - mean);
        }
        double std = subsets > 1 ? Math.sqrt(var / (subsets - 1)) : 0;
        return new Kid(mean, std, subsets, m);
    }

    /** The unbiased MMD² estimator: kernel means within each set leave out the diagonal. */
    public static double mmdSquared(float[][] x, float[][] y) {
        int d = x[0].length;
        double kxx = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                kxx += 2 * kernel(x[i], x[j], d);
            }
        }
        double kyy = 0;
        for (int i = 0; i < y.length; i++) {
            for (int j = i + 1; j < y.length; j++) {
                kyy += 2 * kernel(y[i], y[j], d);
            }
        }
        double kxy = 0;
        for (float[] a : x) {
            for (float[] b : y) {
                kxy += kernel(a, b, d);
            }
        }
        double n = x.length;
        double m = y.length;
        return kxx / (n * (n - 1)) + kyy / (m * (m - 1)) - 2 * kxy / (n * m);
    }

    static double kernel(float[] a, float[] b, int d) {
        double dot = 0;
        for (int i = 0; i < d; i++) {
            dot += (double) a[i] * b[i];
        }
        double k = dot / d + 1;
        return k * k * k;
    }

    /** m distinct rows drawn without replacement (partial Fisher–Yates over indices). */
    private static float[][] subset(float[][] rows, int m, SplittableRandom rng) {
        int[] idx = new int[rows.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        float[][] out = new float[m][];
        for (int i = 0; i < m; i++) {
            int j = i + rng.nextInt(idx.length - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            out[i] = rows[idx[i]];
        }
        return out;
    }
}
