package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Tests read and poke tensors element by element (CPU backend only); main code never does. */
public final class HostViews {
    private HostViews() {
    }

    /** A direct view of a whole dense tensor's host memory. */
    public static FloatBuffer floats(INDArray whole) {
        return Tensor.floatsOf(whole);
    }
}
