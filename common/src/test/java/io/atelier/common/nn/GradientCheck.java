package io.atelier.common.nn;

import java.nio.FloatBuffer;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-written backward passes against central finite differences of L = sum(y * R) for a fixed
 * random R, at one step size, in float32: tolerances are loose but far below the O(1) relative
 * error of a wrong term. Every coordinate is also tried at half the step and skipped where the
 * two estimates disagree (a unit switching inside the step); most coordinates must be checkable.
 * Shared by the layer tests.
 */
record GradientCheck(float step, double absTol) {
    private static final int COORDINATES = 40;

    void layer(String what, Layer layer, Params params, int rows, long... shape) {
        Tensor x = new Tensor(rows, shape);
        fill(HostViews.floats(x), rows * x.rowSize(), 61, 1f, 0.3f);
        Tensor gy = new Tensor(rows, layer.outShape());
        float[] r = randomish(rows * gy.rowSize(), 62, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(layer.forward(x, rows, Layer.Pass.TRAIN)), r);
        loss.getAsDouble();
        HostViews.floats(gy).put(0, r);
        float[] gx = HostArrays.toArray(layer.backward(gy, rows, Layer.Grads.ALL).rows(rows));
        compare(what + " input", loss, HostViews.floats(x), gx, gx.length, 0);
        if (params != null) {
            float[] gp = HostArrays.toArray(params.grads());
            compare(what + " params", loss, HostViews.floats(params.values()), gp, gp.length, 0);
        }
    }

    /** About {@link #COORDINATES} evenly spread coordinates of [from, end) of {@code values} against {@code analytic}. */
    void compare(String what, DoubleSupplier loss, FloatBuffer values, float[] analytic, int end, int from) {
        int stride = Math.max(1, (end - from) / COORDINATES) | 1;
        int candidates = 0;
        int checked = 0;
        for (int i = from; i < end; i += stride) {
            candidates++;
            double numeric = difference(loss, values, i, step);
            double half = difference(loss, values, i, step / 2);
            if (Math.abs(numeric - half) > tolerance(numeric, half)) {
                continue;
            }
            assertTrue(Math.abs(numeric - analytic[i]) <= tolerance(numeric, analytic[i]),
                    what + " gradient at " + i + ": finite difference " + numeric + ", backward " + analytic[i]);
            checked++;
        }
        loss.getAsDouble();
        assertTrue(checked >= Math.max(1, 0.8 * candidates), what + ": only " + checked + " of " + candidates
                + " coordinates were away from kinks");
    }

    private double tolerance(double a, double b) {
        return 2e-2 * Math.max(Math.abs(a), Math.abs(b)) + absTol;
    }

    private static double difference(DoubleSupplier loss, FloatBuffer values, int i, float step) {
        float v = values.get(i);
        values.put(i, v + step);
        double up = loss.getAsDouble();
        values.put(i, v - step);
        double down = loss.getAsDouble();
        values.put(i, v);
        return (up - down) / (2.0 * step);
    }

    static double dot(FloatBuffer y, float[] r) {
        double s = 0;
        for (int i = 0; i < r.length; i++) {
            s += (double) y.get(i) * r[i];
        }
        return s;
    }

    static float[] randomish(int n, long seed, float scale, float shift) {
        Rng rng = new Rng(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = shift + scale * (float) rng.nextGaussian();
        }
        return v;
    }

    static void fill(FloatBuffer b, int n, long seed, float scale, float shift) {
        b.put(0, randomish(n, seed, scale, shift));
    }
}
