package io.atelier.common.nn;

/**
 * SplitMix64 with a polar-method Gaussian. The algorithm is fixed here (not borrowed from the
 * JDK, whose generators may change between releases), and the only transcendental call goes
 * through {@link StrictMath}, so a seed gives the same numbers on every JVM.
 */
public final class Rng {
    private long state;
    private double spare;
    private boolean hasSpare;

    public Rng(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound); the bias for bounds far below 2^32 is negligible. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }

    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.sqrt(-2 * StrictMath.log(s) / s);
        spare = v * f;
        hasSpare = true;
        return u * f;
    }

    /** Fills {@code out[from, from + count)} with standard normal floats. */
    public void fillGaussian(float[] out, int from, int count) {
        for (int i = from; i < from + count; i++) {
            out[i] = (float) nextGaussian();
        }
    }
}
