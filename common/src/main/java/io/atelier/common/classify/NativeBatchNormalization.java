package io.atelier.common.classify;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's batch normalisation with its builder's defaults, run as one native op per pass
 * ({@link OneDnnHelpers}). DL4J's builder cannot build a subclass, so the activation is the one
 * setting taken here.
 */
public class NativeBatchNormalization extends BatchNormalization {
    /** For JSON deserialisation. */
    public NativeBatchNormalization() {
    }

    public NativeBatchNormalization(IActivation activation) {
        setActivationFn(activation);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean initialize, DataType dataType) {
        return OneDnnHelpers.attach(super.instantiate(conf, listeners, index, params, initialize, dataType), dataType);
    }
}
