package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam's first and second moments for one network, as flat tensors beside its parameters. They
 * live in the training state between rounds (averaged across workers with everything else), so
 * a worker loads them when it binds a state and stores them when it lets it go.
 */
public final class AdamMoments {
    private final INDArray m;
    private final INDArray v;

    public AdamMoments(Params params) {
        long n = params.layout().size();
        this.m = Nd4j.create(DataType.FLOAT, new long[]{n}, 'c');
        this.v = Nd4j.create(DataType.FLOAT, new long[]{n}, 'c');
    }

    public INDArray first() {
        return m;
    }

    public INDArray second() {
        return v;
    }

    public void load(float[] first, float[] second) {
        HostArrays.load(m, first);
        HostArrays.load(v, second);
    }

    public void store(float[] first, float[] second) {
        HostArrays.store(m, first);
        HostArrays.store(v, second);
    }
}
