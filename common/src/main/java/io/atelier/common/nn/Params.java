package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * One network's parameters and their gradients as two flat native arrays laid out by a
 * {@link ParamLayout}. Layers read and write views of them; the optimizer and the state
 * transfer see each as a single contiguous block.
 */
public final class Params {
    private final ParamLayout layout;
    private final INDArray values;
    private final INDArray grads;
    private final FloatBuffer valueFloats;
    private final FloatBuffer gradFloats;

    public Params(ParamLayout layout) {
        this.layout = layout;
        this.values = Nd4j.create(DataType.FLOAT, new long[]{layout.size()}, 'c');
        this.grads = Nd4j.create(DataType.FLOAT, new long[]{layout.size()}, 'c');
        this.valueFloats = Tensor.floatsOf(values);
        this.gradFloats = Tensor.floatsOf(grads);
    }

    public ParamLayout layout() {
        return layout;
    }

    public FloatBuffer values() {
        return valueFloats;
    }

    public FloatBuffer grads() {
        return gradFloats;
    }

    public int offset(String name) {
        return layout.get(name).offset();
    }

    /** The tensor's values, shaped, sharing memory with the flat array. */
    public INDArray value(String name) {
        return view(values, layout.get(name));
    }

    public INDArray grad(String name) {
        return view(grads, layout.get(name));
    }

    public void load(float[] flat) {
        check(flat);
        valueFloats.put(0, flat);
    }

    public void store(float[] flat) {
        check(flat);
        valueFloats.get(0, flat);
    }

    /** Sum of squared gradients, for the global gradient norm. */
    public double gradSquaredSum() {
        double s = 0;
        FloatBuffer g = gradFloats;
        for (int i = 0, n = layout.size(); i < n; i++) {
            float v = g.get(i);
            s += v * v;
        }
        return s;
    }

    private void check(float[] flat) {
        if (flat.length != layout.size()) {
            throw new IllegalArgumentException("expected " + layout.size() + " floats, got " + flat.length);
        }
    }

    private static INDArray view(INDArray flat, ParamLayout.Entry e) {
        INDArray v = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(e.offset(), e.offset() + e.length()));
        return v.reshape('c', e.shape());
    }
}
