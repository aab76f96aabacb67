package io.atelier.common.eval;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * FID: the Fréchet distance between Gaussians fitted to two feature sets,
 * |m1 - m2|² + tr(C1) + tr(C2) - 2 tr((C1 C2)^½).
 * tr((C1 C2)^½) is taken as tr((C1^½ C2 C1^½)^½): the same eigenvalues, but a symmetric
 * positive semi-definite matrix, so a symmetric eigendecomposition suffices and no complex
 * square root (and no imaginary part to discard, as the reference code must) arises.
 */
public final class FrechetDistance {
    private FrechetDistance() {
    }

    public static double between(FeatureStatistics a, FeatureStatistics b) {
        if (a.dimension() != b.dimension()) {
            throw new IllegalArgumentException("feature dimensions differ: " + a.dimension() + " vs " + b.dimension());
        }
        return between(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    public static double between(double[] m1, double[][] c1, double[] m2, double[][] c2) {
        double meanTerm = 0;
        for (int i = 0; i < m1.length; i++) {
            double d = m1[i] - m2[i];
            meanTerm += d * d;
        }
        RealMatrix s1 = new Array2DRowRealMatrix(c1, false);
        RealMatrix s2 = new Array2DRowRealMatrix(c2, false);
        RealMatrix root1 = sqrtPsd(s1);
        RealMatrix middle = symmetrize(root1.multiply(s2).multiply(root1));
        double traceRoot = 0;
        for (double ev : new EigenDecomposition(middle).getRealEigenvalues()) {
            traceRoot += Math.sqrt(Math.max(0, ev)); // rounding can leave tiny negatives
        }
        double fid = meanTerm + s1.getTrace() + s2.getTrace() - 2 * traceRoot;
        return Math.max(0, fid);
    }

    /** Square root of a symmetric positive semi-definite matrix; negative rounding noise clipped. */
    static RealMatrix sqrtPsd(RealMatrix m) {
        EigenDecomposition eig = new EigenDecomposition(symmetrize(m));
        RealMatrix v = eig.getV();
        double[] ev = eig.getRealEigenvalues();
        int n = ev.length;
        double[][] scaled = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                scaled[i][j] = v.getEntry(i, j) * Math.sqrt(Math.max(0, ev[j]));
            }
        }
        return new Array2DRowRealMatrix(scaled, false).multiply(v.transpose());
    }

    private static RealMatrix symmetrize(RealMatrix m) {
        return m.add(m.transpose()).scalarMultiply(0.5);
    }
}
