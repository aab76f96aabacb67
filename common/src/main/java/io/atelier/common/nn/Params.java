package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One network's parameters and their gradients as two flat tensors laid out by a
 * {@link ParamLayout}. Layers read and write shaped views of them; the optimizer, the moving
 * average and the state transfer see each as a single contiguous block.
 */
public final class Params {
    private final ParamLayout layout;
    private final INDArray values;
    private final INDArray grads;

    public Params(ParamLayout layout) {
        this.layout = layout;
        this.values = Nd4j.create(DataType.FLOAT, new long[]{layout.size()}, 'c');
        this.grads = Nd4j.create(DataType.FLOAT, new long[]{layout.size()}, 'c');
    }

    public ParamLayout layout() {
        return layout;
    }

    /** All values as one flat tensor. */
    public INDArray values() {
        return values;
    }

    /** All gradients as one flat tensor, in the values' layout. */
    public INDArray grads() {
        return grads;
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
        HostArrays.load(values, flat);
    }

    public void store(float[] flat) {
        check(flat);
        HostArrays.store(values, flat);
    }

    /** The global (L2) norm of the gradients, reduced by the backend. */
    public double gradNorm() {
        return grads.norm2Number().doubleValue();
    }

    private void check(float[] flat) {
        if (flat.length != layout.size()) {
            throw new IllegalArgumentException("expected " + layout.size() + " floats, got " + flat.length);
        }
    }

    private static INDArray view(INDArray flat, ParamLayout.Entry e) {
        INDArray v = flat.get(NDArrayIndex.interval(e.offset(), e.offset() + e.length()));
        return v.reshape('c', e.shape());
    }
}
