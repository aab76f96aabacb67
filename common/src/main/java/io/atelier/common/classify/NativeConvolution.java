package io.atelier.common.classify;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's convolution layer, run as one native op per pass ({@link OneDnnHelpers}). Same parameters,
 * same numbers; it serialises under its own class name so workers that rebuild the network from its
 * JSON get the fast path too.
 */
public class NativeConvolution extends ConvolutionLayer {
    /** For JSON deserialisation. */
    public NativeConvolution() {
    }

    public NativeConvolution(ConvolutionLayer.Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean initialize, DataType dataType) {
        return OneDnnHelpers.attach(super.instantiate(conf, listeners, index, params, initialize, dataType), dataType);
    }
}
