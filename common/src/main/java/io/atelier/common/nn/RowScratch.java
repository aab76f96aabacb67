package io.atelier.common.nn;

/**
 * Per-thread plain arrays that hand-written loops copy a row into (and back out of): the JIT
 * vectorises element loops over arrays, but runs them one value at a time on the native
 * buffers. Reused across layers and steps, since a row's copy never outlives its loop.
 */
final class RowScratch {
    private static final int SLOTS = 12;
    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[SLOTS][0]);
    private static final ThreadLocal<double[][]> DOUBLES = ThreadLocal.withInitial(() -> new double[SLOTS][0]);

    private RowScratch() {
    }

    /** This thread's float array number {@code slot} (below 12), at least {@code len} long. */
    static float[] floats(int slot, int len) {
        float[][] s = FLOATS.get();
        if (s[slot].length < len) {
            s[slot] = new float[len];
        }
        return s[slot];
    }

    /** This thread's double array number {@code slot} (below 12), at least {@code len} long. */
    static double[] doubles(int slot, int len) {
        double[][] s = DOUBLES.get();
        if (s[slot].length < len) {
            s[slot] = new double[len];
        }
        return s[slot];
    }
}
