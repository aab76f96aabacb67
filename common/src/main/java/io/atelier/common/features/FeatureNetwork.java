package io.atelier.common.features;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A network whose named layers give feature maps. Input: an NCHW batch of RGB images with values
 * in [0, 1] (each network applies its own normalisation inside). Output per requested layer:
 * an NCHW map {@code [n, c, h, w]} for spatial layers, {@code [n, f]} for flat ones.
 */
public interface FeatureNetwork {
    /** Short name, e.g. {@code mobilenet_v2}. */
    String name();

    /** Layer names as in the model's own config, in graph order. */
    List<String> layerNames();

    /** The last layer (the model's output). */
    String outputLayer();

    /** The square side the network was trained at; inputs of this size give its intended output. */
    int inputSize();

    Map<String, INDArray> forward(INDArray nchw, Collection<String> layers);

    /** Refuses unknown layer names in one line that lists a few valid ones. */
    default void requireLayers(Collection<String> layers) {
        List<String> known = layerNames();
        for (String layer : layers) {
            if (!known.contains(layer)) {
                throw new IllegalArgumentException(name() + " has no layer '" + layer + "'; it has "
                        + known.size() + " layers, e.g. " + known.subList(Math.max(0, known.size() - 6), known.size()));
            }
        }
    }
}
