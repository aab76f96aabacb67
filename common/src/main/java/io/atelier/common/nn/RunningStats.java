package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A network's non-trained buffers (batch-norm running mean and variance) as one flat tensor laid
 * out by a {@link ParamLayout}, loaded from the training state when a worker binds it and stored
 * back when it lets go.
 */
public final class RunningStats {
    private final ParamLayout layout;
    private final INDArray values;

    public RunningStats(ParamLayout layout) {
        this.layout = layout;
        this.values = Nd4j.create(DataType.FLOAT, new long[]{layout.size()}, 'c');
        HostArrays.load(values, layout.initialValues(new Rng(0)));
    }

    public ParamLayout layout() {
        return layout;
    }

    public INDArray values() {
        return values;
    }

    /** One statistic, shaped, sharing memory with the flat tensor. */
    public INDArray value(String name) {
        ParamLayout.Entry e = layout.get(name);
        return values.get(NDArrayIndex.interval(e.offset(), e.offset() + e.length())).reshape('c', e.shape());
    }

    public void load(float[] flat) {
        check(flat);
        HostArrays.load(values, flat);
    }

    public void store(float[] flat) {
        check(flat);
        HostArrays.store(values, flat);
    }

    public int offset(String name) {
        return layout.get(name).offset();
    }

    private void check(float[] flat) {
        if (flat.length != layout.size()) {
            throw new IllegalArgumentException("expected " + layout.size() + " running statistics, got " + flat.length);
        }
    }
}
