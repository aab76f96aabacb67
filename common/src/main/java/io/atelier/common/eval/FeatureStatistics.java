package io.atelier.common.eval;

import java.io.Serializable;

/**
 * Exact first and second moments of a set of feature vectors: count, sum and sum of outer
 * products, in double precision. Two statistics merge into the statistics of the union, so
 * partitions summarise their images and the driver adds the summaries.
 */
public final class FeatureStatistics implements Serializable {
    private final int dimension;
    private long count;
    private final double[] sum;
    /** Row-major d x d; only the upper triangle is accumulated, the lower is mirrored on read. */
    private final double[] outer;

    public FeatureStatistics(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("feature dimension must be positive, got " + dimension);
        }
        this.dimension = dimension;
        this.sum = new double[dimension];
        this.outer = new double[dimension * dimension];
    }

    public int dimension() {
        return dimension;
    }

    public long count() {
        return count;
    }

    public void add(float[] features) {
        requireDimension(features.length);
        double[] f = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            f[i] = features[i];
        }
        add(f);
    }

    public void add(double[] f) {
        requireDimension(f.length);
        count++;
        for (int i = 0; i < dimension; i++) {
            double fi = f[i];
            sum[i] += fi;
            int row = i * dimension;
            for (int j = i; j < dimension; j++) {
                outer[row + j] += fi * f[j];
            }
        }
    }

    /** Adds {@code other}'s images to this one's; returns this. */
    public FeatureStatistics merge(FeatureStatistics other) {
        requireDimension(other.dimension);
        count += other.count;
        for (int i = 0; i < dimension; i++) {
            sum[i] += other.sum[i];
        }
        for (int i = 0; i < outer.length; i++) {
            outer[i] += other.outer[i];
        }
        return this;
    }

    public double[] mean() {
        requireCount(1);
        double[] m = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            m[i] = sum[i] / count;
        }
        return m;
    }

    /** The unbiased sample covariance (divides by n - 1, as numpy.cov and the reference FID code). */
    public double[][] covariance() {
        requireCount(2);
        double[] m = mean();
        double[][] c = new double[dimension][dimension];
        for (int i = 0; i < dimension; i++) {
            for (int j = i; j < dimension; j++) {
                double v = (outer[i * dimension + j] - count * m[i] * m[j]) / (count - 1);
                c[i][j] = v;
                c[j][i] = v;
            }
        }
        return c;
    }

    private void requireDimension(int d) {
        if (d != dimension) {
            throw new IllegalArgumentException("feature vector has " + d + " values, statistics expect " + dimension);
        }
    }

    private void requireCount(int n) {
        if (count < n) {
            throw new IllegalStateException("statistics of " + count + " vectors; need at least " + n);
        }
    }
}
