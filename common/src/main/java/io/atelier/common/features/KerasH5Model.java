package io.atelier.common.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.io.Json;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A whole Keras 2 model saved as .h5 ({@code model.save}, e.g. keras.applications.VGG19), read
 * through DL4J's Keras import HDF5 reader: the {@code model_config} attribute and the weights
 * under {@code model_weights/<layer>/<layer>/<param>:0}.
 */
public final class KerasH5Model {
    private final JsonNode modelConfig;
    private final Map<String, INDArray> weights;
    private final String source;

    private KerasH5Model(String source, JsonNode modelConfig, Map<String, INDArray> weights) {
        this.source = source;
        this.modelConfig = modelConfig;
        this.weights = weights;
    }

    /** Reads a local .h5 file; HDF5 needs a real file, so remote copies are fetched by the caller. */
    public static KerasH5Model read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Keras model file " + file + " does not exist");
        }
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (Hdf5Archive h5 = new Hdf5Archive(file.toString())) {
                if (!h5.hasAttribute("model_config")) {
                    throw new IllegalArgumentException(file + " has no model_config: save the whole model"
                            + " (model.save), not only its weights");
                }
                JsonNode config = Json.MAPPER.readTree(h5.readAttributeAsJson("model_config"));
                Map<String, INDArray> weights = new HashMap<>();
                String root = h5.getGroups().contains("model_weights") ? "model_weights" : null;
                for (String layer : root == null ? h5.getGroups() : h5.getGroups(root)) {
                    String[] group = root == null ? new String[]{layer} : new String[]{root, layer};
                    readLayer(h5, layer, group, weights);
                }
                return new KerasH5Model(file.toString(), config, weights);
            } catch (UnsupportedKerasConfigurationException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read Keras model " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Keras nests a layer's weights one group deeper, named after the layer again. */
    private static void readLayer(Hdf5Archive h5, String layer, String[] group, Map<String, INDArray> weights)
            throws UnsupportedKerasConfigurationException {
        for (String inner : h5.getGroups(group)) {
            String[] path = append(group, inner);
            for (String dataset : h5.getDataSets(path)) {
                String param = dataset.replaceAll(":\\d+$", "");
                weights.put(layer + "/" + param, h5.readDataSet(dataset, path).castTo(DataType.FLOAT));
            }
        }
        for (String dataset : h5.getDataSets(group)) {
            weights.put(layer + "/" + dataset.replaceAll(":\\d+$", ""), h5.readDataSet(dataset, group).castTo(DataType.FLOAT));
        }
    }

    private static String[] append(String[] a, String s) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = s;
        return out;
    }

    public JsonNode modelConfig() {
        return modelConfig;
    }

    public WeightSource weights() {
        return new TfjsLayersModel.MapWeights(source, weights);
    }

    /** The side of the model's declared square input, or {@code fallback} when it takes any size. */
    public int inputSize(int fallback) {
        return KerasGraphBuilder.declaredInputSize(modelConfig, fallback);
    }
}
