package io.atelier.common.style;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.Versions;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Json;
import io.atelier.common.io.Sha256;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained fast style network, as {@code atelier stylize --method fast --model DIR} reads it.
 * Layout of DIR (written by {@code atelier train-style} as {@code RUN/model/}):
 * <pre>
 *   model.json    format, style name and SHA-256 of the style image, network config, parameter
 *                 names and shapes in order, weights SHA-256, how it was trained (run, round, losses),
 *                 the versions that wrote it
 *   weights.bin   every parameter as little-endian float32, in the network's fixed order
 *                 ({@link TransformerNet#shapes}; model.json lists the shapes by name)
 * </pre>
 */
public record FastStyleModel(String style, String styleSha256, TransformerNet.Config config,
                             Map<String, float[]> params, Map<String, Object> trainedWith) implements Serializable {
    public static final String JSON = "model.json";
    public static final String WEIGHTS = "weights.bin";
    /**
     * The layout this build writes and the newest it reads, as {@code atelier-fast-style/N}. Raise
     * it when a change would make older builds misread a model.
     */
    public static final int FORMAT_VERSION = 1;
    public static final String FORMAT_NAME = "atelier-fast-style";
    public static final String FORMAT = FORMAT_NAME + "/" + FORMAT_VERSION;

    public FastStyleModel {
        Map<String, long[]> shapes = TransformerNet.shapes(config);
        if (!shapes.keySet().equals(params.keySet())) {
            throw new IllegalArgumentException("fast style model for " + style + ": parameters " + params.keySet()
                    + " do not match the network's " + shapes.keySet());
        }
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            int have = params.get(e.getKey()).length;
            if (have != TransformerNet.length(e.getValue())) {
                throw new IllegalArgumentException("fast style model for " + style + ": parameter " + e.getKey() + " has "
                        + have + " values, the network needs " + TransformerNet.length(e.getValue()));
            }
        }
        params = new LinkedHashMap<>(params);
        trainedWith = new LinkedHashMap<>(trainedWith);
    }

    public byte[] weightBytes() {
        int n = 0;
        for (float[] p : params.values()) {
            n += p.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (String name : TransformerNet.shapes(config).keySet()) {
            for (float v : params.get(name)) {
                buf.putFloat(v);
            }
        }
        return buf.array();
    }

    /** SHA-256 of weights.bin: identifies the model in stylize's parameter hash. */
    public String weightsSha256() {
        return Sha256.of(weightBytes());
    }

    /** Writes model.json and weights.bin into {@code dir}, each written aside and renamed. */
    public void save(String dir, Configuration conf) {
        byte[] weights = weightBytes();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", FORMAT);
        json.put("style", style);
        json.put("styleSha256", styleSha256);
        json.put("channels", config.channels());
        json.put("residualBlocks", config.residualBlocks());
        json.put("padding", config.padding().id());
        json.put("outputGain", config.outputGain());
        Map<String, long[]> shapes = new LinkedHashMap<>(TransformerNet.shapes(config));
        json.put("parameters", shapes);
        json.put("parameterCount", TransformerNet.parameterCount(config));
        json.put("weightsSha256", Sha256.of(weights));
        json.put("trainedWith", trainedWith);
        json.put("versions", Versions.all());
        HadoopFiles.writeAtomically(new Path(dir, WEIGHTS), weights, conf);
        HadoopFiles.writeAtomically(new Path(dir, JSON), Json.pretty(json).getBytes(StandardCharsets.UTF_8), conf);
    }

    /** A file without a format is version 1; a newer version is refused before its weights are read. */
    private static void checkFormat(String format, JsonNode json, Path jsonPath, String dirOrRun) {
        if (format.equals(FORMAT)) {
            return;
        }
        String prefix = FORMAT_NAME + "/";
        if (format.startsWith(prefix) && format.substring(prefix.length()).matches("[0-9]{1,9}")
                && Integer.parseInt(format.substring(prefix.length())) > FORMAT_VERSION) {
            throw new IllegalArgumentException("fast style model " + jsonPath + " is in format " + format
                    + ", written by a newer Atelier (" + json.path("versions").path("atelier").asText("unknown")
                    + "); this one reads " + FORMAT + ": upgrade Atelier to use it");
        }
        throw new InvalidSettingException("{model} " + dirOrRun + ": " + JSON + " has format '" + format
                + "', expected " + FORMAT);
    }

    /** Reads a model directory, or a train-style run directory (its {@code model/}); checks the weights' hash. */
    public static FastStyleModel load(String dirOrRun, Configuration conf) {
        Path dir = new Path(dirOrRun);
        if (!HadoopFiles.exists(new Path(dir, JSON), conf) && HadoopFiles.exists(new Path(dir, "model/" + JSON), conf)) {
            dir = new Path(dir, "model");
        }
        Path jsonPath = new Path(dir, JSON);
        if (!HadoopFiles.exists(jsonPath, conf)) {
            throw new InvalidSettingException("{model} " + dirOrRun + " holds no " + JSON
                    + ": give a directory written by atelier train-style (RUN or RUN/model)");
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(HadoopFiles.readAll(jsonPath, conf));
        } catch (IOException e) {
            throw new InvalidSettingException("{model} " + dirOrRun + ": unreadable " + JSON + ": " + e.getMessage(), e);
        }
        checkFormat(json.path("format").asText(FORMAT), json, jsonPath, dirOrRun);
        byte[] weights = HadoopFiles.readAll(new Path(dir, WEIGHTS), conf);
        if (!Sha256.of(weights).equals(json.path("weightsSha256").asText())) {
            throw new InvalidSettingException("{model} " + dirOrRun + ": " + WEIGHTS + " does not match the SHA-256 in "
                    + JSON + " (damaged or replaced)");
        }
        TransformerNet.Config config;
        try {
            // Files written before padding and gain were recorded used zeros and gain 1.
            config = new TransformerNet.Config(json.path("channels").asInt(), json.path("residualBlocks").asInt(),
                    TransformerNet.Padding.of(json.path("padding").asText(TransformerNet.Padding.ZERO.id())),
                    json.path("outputGain").asDouble(1.0));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("{model} " + dirOrRun + ": " + JSON + ": " + InvalidSettingException.templateOf(e), e);
        }
        ByteBuffer buf = ByteBuffer.wrap(weights).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, float[]> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : TransformerNet.shapes(config).entrySet()) {
            float[] v = new float[TransformerNet.length(e.getValue())];
            if (buf.remaining() < 4 * v.length) {
                throw new InvalidSettingException("{model} " + dirOrRun + ": " + WEIGHTS + " is too short for the network");
            }
            buf.asFloatBuffer().get(v);
            buf.position(buf.position() + 4 * v.length);
            params.put(e.getKey(), v);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> trained = Json.MAPPER.convertValue(json.path("trainedWith"), Map.class);
        return new FastStyleModel(json.path("style").asText(), json.path("styleSha256").asText(), config, params,
                trained == null ? Map.of() : trained);
    }
}
