package io.atelier.common.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A TF.js layers-format model as bytes: {@code model.json} ({@code modelTopology}: the Keras
 * model JSON; {@code weightsManifest}: names, shapes and quantization of the weights, in shard
 * order) and its weight shards concatenated. Small enough to broadcast, so executors need no copy
 * of the files.
 */
public final class TfjsLayersModel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final byte[] modelJson;
    private final byte[] weightBytes;

    public TfjsLayersModel(String source, byte[] modelJson, byte[] weightBytes) {
        this.source = source;
        this.modelJson = modelJson;
        this.weightBytes = weightBytes;
    }

    /** Reads {@code model.json} and the shards it names from a directory on any Hadoop file system. */
    public static TfjsLayersModel read(String dir, Configuration conf) {
        Path modelPath = new Path(dir, "model.json");
        if (!HadoopFiles.exists(modelPath, conf)) {
            throw new IllegalArgumentException(dir + " has no model.json: not a TF.js layers model directory");
        }
        byte[] json = HadoopFiles.readAll(modelPath, conf);
        ByteArrayOutputStream weights = new ByteArrayOutputStream();
        for (JsonNode group : parse(json, modelPath.toString()).path("weightsManifest")) {
            for (JsonNode shard : group.path("paths")) {
                Path shardPath = new Path(dir, shard.asText());
                if (!HadoopFiles.exists(shardPath, conf)) {
                    throw new IllegalArgumentException("model " + dir + " lists weight shard " + shard.asText()
                            + ", which is missing");
                }
                weights.writeBytes(HadoopFiles.readAll(shardPath, conf));
            }
        }
        return new TfjsLayersModel(dir, json, weights.toByteArray());
    }

    public String source() {
        return source;
    }

    /** {@code modelTopology.model_config}: the Keras model's class name and layers. */
    public JsonNode modelConfig() {
        JsonNode config = parse(modelJson, source).path("modelTopology").path("model_config");
        if (config.isMissingNode()) {
            throw new IllegalArgumentException(source + ": model.json has no modelTopology.model_config"
                    + " (a TF.js graph model, not a layers model?)");
        }
        return config;
    }

    /** Dequantizes every weight: uint8/uint16 values map to {@code q * scale + min}, as TF.js does. */
    public WeightSource weights() {
        JsonNode manifest = parse(modelJson, source).path("weightsManifest");
        ByteBuffer buf = ByteBuffer.wrap(weightBytes).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, INDArray> byName = new HashMap<>();
        for (JsonNode group : manifest) {
            for (JsonNode spec : group.path("weights")) {
                long[] shape = Json.MAPPER.convertValue(spec.path("shape"), long[].class);
                int n = 1;
                for (long d : shape) {
                    n *= (int) d;
                }
                float[] values = new float[n];
                JsonNode q = spec.path("quantization");
                String stored = q.isMissingNode() ? spec.path("dtype").asText("float32") : q.path("dtype").asText();
                double scale = q.path("scale").asDouble();
                double min = q.path("min").asDouble();
                for (int i = 0; i < n; i++) {
                    values[i] = switch (stored) {
                        case "uint8" -> (float) ((buf.get() & 0xFF) * scale + min);
                        case "uint16" -> (float) ((buf.getShort() & 0xFFFF) * scale + min);
                        case "float32" -> buf.getFloat();
                        default -> throw new IllegalArgumentException(source + ": weight " + spec.path("name").asText()
                                + " is stored as " + stored + ", which this importer does not read");
                    };
                }
                byName.put(spec.path("name").asText(), Nd4j.create(values, shape, 'c'));
            }
        }
        if (buf.hasRemaining()) {
            throw new IllegalArgumentException(source + ": weight shards hold " + buf.remaining()
                    + " bytes more than the manifest describes");
        }
        return new MapWeights(source, byName);
    }

    private static JsonNode parse(byte[] json, String what) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + what + ": " + e.getMessage(), e);
        }
    }

    /** Weights keyed {@code layer/param}, the naming TF.js and Keras share. */
    record MapWeights(String source, Map<String, INDArray> byName) implements WeightSource {
        @Override
        public INDArray get(String layer, String param) {
            INDArray w = byName.get(layer + "/" + param);
            if (w == null) {
                List<String> ofLayer = byName.keySet().stream().filter(k -> k.startsWith(layer + "/")).sorted().toList();
                throw new IllegalArgumentException(source + ": no weight " + layer + "/" + param
                        + (ofLayer.isEmpty() ? " (the layer has no weights)" : "; the layer has " + ofLayer));
            }
            return w;
        }

        @Override
        public boolean has(String layer, String param) {
            return byName.containsKey(layer + "/" + param);
        }
    }
}
