package io.atelier.common.features;

import com.fasterxml.jackson.databind.JsonNode;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Keras model (from TF.js layers files or a Keras .h5) as a SameDiff feature network. The graph
 * takes NCHW RGB in [0, 1], permutes to the model's NHWC and normalises as the model was trained.
 */
public final class KerasFeatureNetwork implements FeatureNetwork {
    private static final String INPUT = "atelier_input";

    private final String name;
    private final int inputSize;
    private final JsonNode modelConfig;
    private final WeightSource weights;
    private final InputNormalization normalization;
    private final SameDiff sd;
    private final KerasGraphBuilder.Built built;

    public KerasFeatureNetwork(String name, int inputSize, JsonNode modelConfig, WeightSource weights,
                               InputNormalization normalization) {
        this.name = name;
        this.inputSize = inputSize;
        this.modelConfig = modelConfig;
        this.weights = weights;
        this.normalization = normalization;
        this.sd = SameDiff.create();
        SDVariable input = sd.placeHolder(INPUT, DataType.FLOAT, -1, 3, -1, -1);
        this.built = attach(sd, input, inputSize, inputSize);
    }

    /** Adds this network's layers to another graph (an optimisation over the image, say). */
    public KerasGraphBuilder.Built attach(SameDiff graph, SDVariable rgbUnitNchw, long height, long width) {
        SDVariable nhwc = graph.permute("input/nhwc", rgbUnitNchw, 0, 2, 3, 1);
        return KerasGraphBuilder.build(graph, modelConfig, weights, normalization.apply(graph, nhwc), height, width);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> layerNames() {
        return new ArrayList<>(built.outputs().keySet());
    }

    @Override
    public String outputLayer() {
        List<String> names = layerNames();
        return names.get(names.size() - 1);
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    /** Output shape of a layer at the native input size, without the batch dimension, NHWC order. */
    public long[] layerShape(String layer) {
        requireLayers(List.of(layer));
        return built.shapes().get(layer).clone();
    }

    /** One graph serves all callers of this instance; SameDiff sessions are not shared safely. */
    @Override
    public synchronized Map<String, INDArray> forward(INDArray nchw, Collection<String> layers) {
        requireLayers(layers);
        if (nchw.rank() != 4 || nchw.size(1) != 3) {
            throw new IllegalArgumentException(name + " takes [n, 3, h, w] RGB in [0, 1], got shape "
                    + java.util.Arrays.toString(nchw.shape()));
        }
        try {
            Map<String, INDArray> raw = sd.output(Map.of(INPUT, nchw.castTo(DataType.FLOAT)), new ArrayList<>(layers));
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (String layer : layers) {
                INDArray a = raw.get(layer);
                out.put(layer, a.rank() == 4 ? a.permute(0, 3, 1, 2).dup('c') : a);
            }
            return out;
        } finally {
            SameDiffSessions.end(sd);
        }
    }
}
