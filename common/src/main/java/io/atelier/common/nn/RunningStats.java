package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A network's non-trained buffers (batch-norm running mean and variance) as one flat tensor laid
 * out by a {@link ParamLayout}, next to its {@link Params}: layers update {@link #value} views
 * with ops, and the training state's heap array goes in at bind ({@link #load}) and out at
 * unbind ({@link #store}).
 */
public final class RunningStats {
    private final ParamLayout layout;
    private final INDArray values;

    /** Starts from the layout's initial values (running mean 0, variance 1). */
    public RunningStats(ParamLayout layout) {
        this.layout = layout;
        this.values = Nd4j.create(DataType.FLOAT, new long[]{layout.size()}, 'c');
        HostArrays.load(values, layout.initialValues(new Rng(0)));
    }

    public ParamLayout layout() {
        return layout;
    }

    /** The flat tensor of all running statistics. */
    public INDArray values() {
        return values;
    }

    /** The named statistic, shaped, sharing memory with the flat tensor. */
    public INDArray value(String name) {
        ParamLayout.Entry e = layout.get(name);
        return values.get(NDArrayIndex.interval(e.offset(), e.offset() + e.length())).reshape('c', e.shape());
    }

    /** Copies {@code flat} (a training state's array) in. */
    public void load(float[] flat) {
        check(flat);
        HostArrays.load(values, flat);
    }

    /** Copies the statistics out into {@code flat}. */
    public void store(float[] flat) {
        check(flat);
        HostArrays.store(values, flat);
    }

    private void check(float[] flat) {
        if (flat.length != layout.size()) {
            throw new IllegalArgumentException("expected " + layout.size() + " running statistics, got " + flat.length);
        }
    }
}
