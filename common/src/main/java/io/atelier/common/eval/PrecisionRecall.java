package io.atelier.common.eval;

import java.util.Arrays;

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of
 * balls around its samples reaching their k-th nearest neighbour in the same set. Precision is
 * the share of generated samples inside the real manifold (fidelity); recall the share of real
 * samples inside the generated manifold (coverage).
 */
public final class PrecisionRecall {
    private PrecisionRecall() {
    }

    public record Result(double precision, double recall, int k, int realCount, int fakeCount) {
    }

    public static Result compute(float[][] real, float[][] fake, int k) {
        if (real.length <= k || fake.length <= k) {
            throw new IllegalArgumentException("precision/recall with k=" + k + " needs more than k samples per side, got "
                    + real.length + " real and " + fake.length + " generated");
        }
        double[] realRadii = kthNeighbourDistances(real, k);
        double[] fakeRadii = kthNeighbourDistances(fake, k);
        return new Result(coveredShare(fake, real, realRadii), coveredShare(real, fake, fakeRadii), k,
                real.length, fake.length);
    }

    /** Squared distance from each sample to its k-th nearest other sample of the same set. */
    static double[] kthNeighbourDistances(float[][] set, int k) {
        double[] radii = new double[set.length];
        double[] d = new double[set.length];
        for (int i = 0; i < set.length; i++) {
            for (int j = 0; j < set.length; j++) {
                d[j] = squaredDistance(set[i], set[j]);
            }
            double[] sorted = d.clone();
            Arrays.sort(sorted);
            radii[i] = sorted[k]; // sorted[0] is the sample itself
        }
        return radii;
    }

    /** Share of {@code queries} within some ball (centre, radius) of the manifold. */
    static double coveredShare(float[][] queries, float[][] centres, double[] radii) {
        int inside = 0;
        for (float[] q : queries) {
            for (int i = 0; i < centres.length; i++) {
                if (squaredDistance(q, centres[i]) <= radii[i]) {
                    inside++;
                    break;
                }
            }
        }
        return (double) inside / queries.length;
    }

    static double squaredDistance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }
}
