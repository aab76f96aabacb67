package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The one place where network code copies between Java heap arrays and tensors: training state
 * in at bind and out at unbind, a batch of input pixels or latents in per step, sampled images
 * out. Everything else (layers, losses, the optimizer, the moving averages) runs as ND4J ops,
 * which work on whichever device the backend keeps a tensor. A CUDA backend keeps a host and a
 * device copy; so a read first makes the host copy current ({@code ensureLocation}) and a write
 * marks the host copy as the fresh one ({@code tagLocation}), which makes the next op copy it to
 * the device. On the CPU backend both calls do nothing.
 */
public final class HostArrays {
    private HostArrays() {
    }

    /** Copies {@code src} into the dense c-order tensor {@code dst} (all of it). */
    public static void load(INDArray dst, float[] src) {
        load(dst, src, 0);
    }

    /** Copies {@code dst.length()} floats of {@code src} from {@code from} into the dense tensor {@code dst}. */
    public static void load(INDArray dst, float[] src, int from) {
        int n = checkedLength(dst);
        if (from < 0 || from + n > src.length) {
            throw new IllegalArgumentException("need " + n + " floats from offset " + from + ", the array has " + src.length);
        }
        AffinityManager affinity = Nd4j.getAffinityManager();
        affinity.ensureLocation(dst, AffinityManager.Location.HOST);
        hostFloats(dst).put(src, from, n);
        affinity.tagLocation(dst, AffinityManager.Location.HOST);
    }

    /** Copies the dense tensor {@code src} into {@code dst} (whose length must match). */
    public static void store(INDArray src, float[] dst) {
        store(src, dst, 0);
    }

    /** Copies the dense tensor {@code src} into {@code dst} from offset {@code from}. */
    public static void store(INDArray src, float[] dst, int from) {
        int n = checkedLength(src);
        if (from < 0 || from + n > dst.length) {
            throw new IllegalArgumentException("need room for " + n + " floats from offset " + from + ", the array has " + dst.length);
        }
        Nd4j.getAffinityManager().ensureLocation(src, AffinityManager.Location.HOST);
        hostFloats(src).get(dst, from, n);
    }

    /** A copy of the dense tensor's values. */
    public static float[] toArray(INDArray src) {
        float[] out = new float[checkedLength(src)];
        store(src, out, 0);
        return out;
    }

    /** A new dense float tensor of {@code shape} holding a copy of {@code values}. */
    public static INDArray of(float[] values, long... shape) {
        INDArray a = Nd4j.create(DataType.FLOAT, shape, 'c');
        load(a, values);
        return a;
    }

    /** The host floats of a dense c-order tensor, positioned at its first element and limited to its length. */
    private static FloatBuffer hostFloats(INDArray a) {
        FloatBuffer all = a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        int start = (int) a.offset();
        return all.position(start).limit(start + (int) a.length()).slice();
    }

    private static int checkedLength(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("need a float tensor, got " + a.dataType());
        }
        if (a.length() > 1 && (a.ordering() != 'c' || !Shape.isContiguousInBuffer(a))) {
            throw new IllegalArgumentException("need a dense c-order tensor, got strides "
                    + java.util.Arrays.toString(a.stride()) + " for shape " + java.util.Arrays.toString(a.shape()));
        }
        if (a.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of " + a.length() + " values is too large for a Java array");
        }
        return (int) a.length();
    }
}
