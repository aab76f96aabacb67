package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Tests read and poke tensors element by element (CPU backend only); main code never does. */
public final class HostViews {
    private HostViews() {
    }

    /** A direct view of a whole dense tensor's host memory. */
    public static FloatBuffer floats(INDArray whole) {
        if (whole.isView() || whole.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("need a whole float array, got a " + (whole.isView() ? "view" : whole.dataType().toString()));
        }
        return whole.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** A direct view of a tensor buffer's host memory. */
    public static FloatBuffer floats(Tensor t) {
        return floats(t.rows(t.maxRows()));
    }
}
