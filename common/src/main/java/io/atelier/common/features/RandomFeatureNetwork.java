package io.atelier.common.features;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atelier.common.io.Json;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * A small VGG-like network with seeded random weights, for fast tests of everything that uses
 * feature maps: conv1 (8) -> conv2 (16, stride 2) -> pool -> conv3 (16), 3x3 convolutions with
 * ReLU. Built through the same Keras-config path as the imported networks.
 */
public final class RandomFeatureNetwork {
    private RandomFeatureNetwork() {
    }

    public static KerasFeatureNetwork create(long seed, int inputSize) {
        Random random = new Random(seed);
        Map<String, INDArray> weights = new HashMap<>();
        ArrayNode layers = Json.MAPPER.createArrayNode();
        layers.add(layer("input", "InputLayer", null));
        int channels = 3;
        String previous = "input";
        for (Object[] conv : new Object[][]{{"conv1", 8, 1}, {"conv2", 16, 2}, {"pool", 0, 2}, {"conv3", 16, 1}}) {
            String name = (String) conv[0];
            int filters = (Integer) conv[1];
            int stride = (Integer) conv[2];
            if (filters == 0) {
                ObjectNode c = Json.MAPPER.createObjectNode().put("padding", "valid");
                c.putArray("pool_size").add(2).add(2);
                c.putArray("strides").add(stride).add(stride);
                layers.add(layer(name, "MaxPooling2D", previous).set("config", c.put("name", name)));
            } else {
                ObjectNode c = Json.MAPPER.createObjectNode().put("name", name).put("padding", "same")
                        .put("activation", "relu").put("use_bias", true);
                c.putArray("kernel_size").add(3).add(3);
                c.putArray("strides").add(stride).add(stride);
                layers.add(layer(name, "Conv2D", previous).set("config", c));
                double std = Math.sqrt(2.0 / (9 * channels));
                weights.put(name + "/kernel", gaussian(random, std, 3, 3, channels, filters));
                weights.put(name + "/bias", gaussian(random, 0.05, filters));
                channels = filters;
            }
            previous = name;
        }
        ObjectNode model = Json.MAPPER.createObjectNode().put("class_name", "Model");
        model.putObject("config").put("name", "random").set("layers", layers);
        return new KerasFeatureNetwork("random", inputSize, model,
                new TfjsLayersModel.MapWeights("random network, seed " + seed, weights), InputNormalization.UNIT);
    }

    private static ObjectNode layer(String name, String type, String inbound) {
        ObjectNode layer = Json.MAPPER.createObjectNode().put("name", name).put("class_name", type);
        layer.putObject("config").put("name", name);
        ArrayNode nodes = layer.putArray("inbound_nodes");
        if (inbound != null) {
            nodes.addArray().addArray().add(inbound).add(0).add(0).addObject();
        }
        return layer;
    }

    private static INDArray gaussian(Random random, double std, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return Nd4j.create(v, shape, 'c');
    }
}
