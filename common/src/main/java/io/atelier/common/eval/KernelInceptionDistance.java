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

    /**
     * Mean and standard deviation of MMD² over {@code subsets} draws of {@code subsetSize} per side.
     * The kernel matrices are computed once (memory bounded by the reservoir sizes), so each
     * subset costs O(m²) additions instead of O(m² d) kernel evaluations.
     */
    public static Kid compute(float[][] x, float[][] y, int subsets, int subsetSize, long seed) {
        // At most half the smaller side, so subsets differ and their spread means something.
        int m = Math.min(subsetSize, Math.min(x.length, y.length) / 2);
        if (m < 2) {
            throw new IllegalArgumentException("KID needs at least 4 samples per side, got " + x.length + " and " + y.length);
        }
        double[][] kxx = gram(x, x);
        double[][] kyy = gram(y, y);
        double[][] kxy = gram(x, y);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] values = new double[subsets];
        for (int s = 0; s < subsets; s++) {
            int[] xi = subset(x.length, m, rng);
            int[] yi = subset(y.length, m, rng);
            values[s] = offDiagonalMean(kxx, xi) + offDiagonalMean(kyy, yi) - 2 * crossMean(kxy, xi, yi);
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

    private static double[][] gram(float[][] a, float[][] b) {
        int d = a[0].length;
        double[][] k = new double[a.length][b.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                k[i][j] = kernel(a[i], b[j], d);
            }
        }
        return k;
    }

    private static double offDiagonalMean(double[][] k, int[] idx) {
        double sum = 0;
        for (int i : idx) {
            for (int j : idx) {
                sum += i == j ? 0 : k[i][j];
            }
        }
        return sum / ((double) idx.length * (idx.length - 1));
    }

    private static double crossMean(double[][] k, int[] xi, int[] yi) {
        double sum = 0;
        for (int i : xi) {
            for (int j : yi) {
                sum += k[i][j];
            }
        }
        return sum / ((double) xi.length * yi.length);
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

    /** m distinct indices of [0, n) drawn without replacement (partial Fisher–Yates). */
    private static int[] subset(int n, int m, SplittableRandom rng) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < m; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return java.util.Arrays.copyOf(idx, m);
    }
}
