package io.atelier.common.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostArraysTest {

    @Test
    void loadAndStoreReachOnlyTheViewTheyAreGiven() {
        INDArray flat = Nd4j.create(DataType.FLOAT, 12);
        INDArray middle = flat.get(NDArrayIndex.interval(4, 10)).reshape('c', 2, 3);
        HostArrays.load(middle, new float[]{1, 2, 3, 4, 5, 6});
        assertEquals(0f, flat.getFloat(3));
        assertEquals(1f, flat.getFloat(4));
        assertEquals(6f, flat.getFloat(9));
        assertEquals(0f, flat.getFloat(10));
        assertEquals(5f, middle.getFloat(1, 1));
        middle.addi(10);
        float[] out = new float[8];
        HostArrays.store(middle, out, 1);
        assertArrayEquals(new float[]{0, 11, 12, 13, 14, 15, 16, 0}, out);
    }

    @Test
    void aTransposedViewIsRefusedWithItsStrides() {
        INDArray t = Nd4j.create(DataType.FLOAT, 2, 3).transpose();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostArrays.toArray(t));
        assertTrue(e.getMessage().contains("dense c-order"), e.getMessage());
    }

    @Test
    void sizesMustFit() {
        INDArray a = Nd4j.create(DataType.FLOAT, 4);
        assertThrows(IllegalArgumentException.class, () -> HostArrays.load(a, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> HostArrays.store(a, new float[5], 2));
    }

    @Test
    void activationOpsMatchTheScalarDefinitions() {
        // No exact zeros: there the rectifiers' subgradients are a convention (see Activation.backward).
        float[] xs = {-3f, -0.5f, -1e-3f, 0.25f, 2f, 7f};
        for (Activation act : Activation.values()) {
            INDArray y = HostArrays.of(xs, xs.length);
            act.forward(y);
            INDArray g = HostArrays.of(new float[]{1.5f, -2f, 3f, 0.5f, -1f, 2f}, xs.length);
            float[] g0 = HostArrays.toArray(g);
            act.backward(y, g);
            float[] ys = HostArrays.toArray(y);
            float[] gs = HostArrays.toArray(g);
            for (int i = 0; i < xs.length; i++) {
                assertEquals(act.apply(xs[i]), ys[i], 1e-6f, act + " at " + xs[i]);
                assertEquals(g0[i] * act.derivative(act.apply(xs[i])), gs[i], 1e-5f, act + "' at " + xs[i]);
            }
        }
    }
}
