package io.atelier.common.classify;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A trained classifier file: Deeplearning4j's model zip (weights, no updater) with one more
 * entry, {@value #INFO_ENTRY}, recording what made it and the file's {@code format}. One file,
 * so its SHA-256 names it.
 */
public final class ClassifierModel {
    public static final String INFO_ENTRY = "atelier-classifier.json";
    /**
     * The layout this build writes and the newest it reads; files written before the number was
     * recorded carry none and are format 1. Raise it when a change would make older builds misread a file.
     */
    public static final int FORMAT = 1;

    /** What made the model and what it takes. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Info(int size, int channels, List<String> classNames, double testAccuracy, long testCount,
                       int featureDimension, Map<String, Object> provenance) implements java.io.Serializable {
    }

    private final MultiLayerNetwork network;
    private final Info info;
    private final String sha256;

    private ClassifierModel(MultiLayerNetwork network, Info info, String sha256) {
        this.network = network;
        this.info = info;
        this.sha256 = sha256;
    }

    public MultiLayerNetwork network() {
        return network;
    }

    public Info info() {
        return info;
    }

    public String sha256() {
        return sha256;
    }

    /** Writes the file atomically; returns its SHA-256. */
    public static String save(MultiLayerNetwork network, Info info, String path, Configuration conf) {
        byte[] bytes = toBytes(network, info);
        HadoopFiles.writeAtomically(new Path(path), bytes, conf);
        return sha256(bytes);
    }

    public static ClassifierModel load(String path, Configuration conf) {
        return fromBytes(HadoopFiles.readAll(new Path(path), conf), path);
    }

    static byte[] toBytes(MultiLayerNetwork network, Info info) {
        try {
            ByteArrayOutputStream model = new ByteArrayOutputStream();
            ModelSerializer.writeModel(network, model, false);
            ByteArrayOutputStream out = new ByteArrayOutputStream(model.size() + 4096);
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(model.toByteArray()));
                 ZipOutputStream zip = new ZipOutputStream(out)) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    zip.putNextEntry(new ZipEntry(e.getName()));
                    in.transferTo(zip);
                    zip.closeEntry();
                }
                ObjectNode json = Json.MAPPER.createObjectNode().put("format", FORMAT);
                json.setAll((ObjectNode) Json.MAPPER.valueToTree(info));
                zip.putNextEntry(new ZipEntry(INFO_ENTRY));
                zip.write(Json.pretty(json).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the classifier: " + e.getMessage(), e);
        }
    }

    static ClassifierModel fromBytes(byte[] bytes, String what) {
        try {
            Info info = null;
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    if (e.getName().equals(INFO_ENTRY)) {
                        info = info(in.readAllBytes(), what);
                    }
                }
            }
            if (info == null) {
                throw new IllegalArgumentException(what + " is not an Atelier classifier (no " + INFO_ENTRY
                        + "); make one with `atelier train-classifier`");
            }
            MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), false);
            return new ClassifierModel(network, info, sha256(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classifier " + what + ": " + e.getMessage(), e);
        }
    }

    /** The info entry, refused before the network is read when a newer Atelier wrote the file. */
    private static Info info(byte[] bytes, String what) throws IOException {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + what + "!" + INFO_ENTRY + ": " + e.getMessage(), e);
        }
        int format = json.path("format").asInt(1);
        if (format > FORMAT) {
            String writer = json.path("provenance").path("versions").path("atelier").asText("unknown");
            throw new IllegalArgumentException("classifier " + what + " is in classifier format " + format
                    + ", written by a newer Atelier (" + writer + "); this one reads format " + FORMAT
                    + ": upgrade Atelier to use it");
        }
        return Json.MAPPER.treeToValue(json, Info.class);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
