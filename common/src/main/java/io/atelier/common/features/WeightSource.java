package io.atelier.common.features;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A model's weights by Keras layer name and parameter name ({@code kernel}, {@code gamma}, ...). */
public interface WeightSource {
    /** The weight in its Keras shape; throws when the model file lacks it. */
    INDArray get(String layer, String param);

    boolean has(String layer, String param);
}
