package io.atelier.common.nn;

import java.nio.FloatBuffer;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference gradient checks shared by the layer and network tests: central differences of
 * a scalar loss (usually L = sum(y * R) for a fixed random R) at one step size in float32, with
 * loose tolerances far below the O(1) relative error of a wrong term. Every check also tries half
 * the step and skips a coordinate where the two disagree (a rectifier switching inside the step);
 * most coordinates must be checkable.
 *
 * @param step   the finite-difference step
 * @param absTol the absolute part of the tolerance (the relative part is 2%)
 */
public record GradientChecks(float step, double absTol) {
    /** Coordinates checked per tensor, evenly spread. */
    public static final int COORDINATES = 40;

    /** A {@link Layer}'s input and (when given) parameter gradients against L = sum(y * R). */
    public void layer(String what, Layer layer, Params params, int rows, long... shape) {
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
    public void compare(String what, DoubleSupplier loss, FloatBuffer values, float[] analytic, int end, int from) {
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

    /** (L(v + h) - L(v - h)) / 2h at coordinate i, restoring the value. */
    public static double difference(DoubleSupplier loss, FloatBuffer values, int i, float step) {
        float v = values.get(i);
        values.put(i, v + step);
        double up = loss.getAsDouble();
        values.put(i, v - step);
        double down = loss.getAsDouble();
        values.put(i, v);
        return (up - down) / (2.0 * step);
    }

    public static double dot(FloatBuffer y, float[] r) {
        double s = 0;
        for (int i = 0; i < r.length; i++) {
            s += (double) y.get(i) * r[i];
        }
        return s;
    }

    /** n Gaussian values times scale plus shift, fixed by the seed. */
    public static float[] randomish(int n, long seed, float scale, float shift) {
        Rng rng = new Rng(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = shift + scale * (float) rng.nextGaussian();
        }
        return v;
    }

    public static void fill(FloatBuffer b, int n, long seed, float scale, float shift) {
        b.put(0, randomish(n, seed, scale, shift));
    }
}
