package io.atelier.common.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdamTest {

    /** The textbook update, in doubles, with eps added to the bias-corrected root as PyTorch does. */
    private static void reference(double[] p, double[] g, double[] m, double[] v, long t, double lr, double b1, double b2, double eps) {
        for (int i = 0; i < p.length; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            double mHat = m[i] / (1 - Math.pow(b1, t));
            double vHat = v[i] / (1 - Math.pow(b2, t));
            p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
    }

    @Test
    void stepsFollowTheTextbookUpdateOverManyStepsWithAScaledRate() {
        int n = 7;
        double lr = 2e-3;
        double lrScale = 0.5;
        Adam adam = new Adam(lr, 0.5, 0.999, 1e-8);
        double[] p = new double[n];
        double[] m = new double[n];
        double[] v = new double[n];
        INDArray params = HostArrays.of(new float[n], n);
        INDArray moM = HostArrays.of(new float[n], n);
        INDArray moV = HostArrays.of(new float[n], n);
        for (long t = 1; t <= 30; t++) {
            double[] g = new double[n];
            float[] gf = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = Math.sin(t * 0.7 + i) * (i + 1) - 0.3 * p[i];
                gf[i] = (float) g[i];
            }
            reference(p, g, m, v, t, lr * lrScale, 0.5, 0.999, 1e-8);
            adam.step(params, HostArrays.of(gf, n), moM, moV, t, lrScale);
        }
        float[] got = HostArrays.toArray(params);
        for (int i = 0; i < n; i++) {
            assertEquals(p[i], got[i], 1e-5 * Math.max(1, Math.abs(p[i])), "parameter " + i);
            assertEquals(p[i] != 0, got[i] != 0);
        }
        assertEquals(m[3], HostArrays.toArray(moM)[3], 1e-4 * Math.abs(m[3]));
        assertEquals(v[3], HostArrays.toArray(moV)[3], 1e-4 * Math.abs(v[3]));
    }

    @Test
    void badSettingsAndShapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Adam(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new Adam(0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(1e-3, 1.0, 0.9, 1e-8));
        Adam adam = new Adam(1e-3);
        INDArray a = HostArrays.of(new float[3], 3);
        INDArray b = HostArrays.of(new float[4], 4);
        assertThrows(IllegalArgumentException.class, () -> adam.step(a, b, a.dup(), a.dup(), 1));
        assertThrows(IllegalArgumentException.class, () -> adam.step(a, a.dup(), a.dup(), a.dup(), 0));
    }
}
