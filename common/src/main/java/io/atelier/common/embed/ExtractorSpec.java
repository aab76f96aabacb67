package io.atelier.common.embed;

import io.atelier.common.io.HadoopFiles;
import io.atelier.common.features.FeatureNetwork;
import io.atelier.common.features.FeatureNetworks;
import io.atelier.common.features.KerasH5Model;
import io.atelier.common.features.RandomFeatureNetwork;
import io.atelier.common.features.TfjsLayersModel;
import io.atelier.common.io.InvalidSettingException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Which feature network to build, with its model bytes read once on the driver so executors need
 * no copy of the files: the shipped TF.js models, a user's VGG .h5, or the random test network.
 */
public final class ExtractorSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final List<String> NAMES = List.of("mobilenet_v2", "inception_v3", "vgg19", "vgg16", "random");

    private final String name;
    private final String source;
    private final TfjsLayersModel tfjs;
    private final byte[] h5;
    private final String key;

    private ExtractorSpec(String name, String source, TfjsLayersModel tfjs, byte[] h5, String key) {
        this.name = name;
        this.source = source;
        this.tfjs = tfjs;
        this.h5 = h5;
        this.key = key;
    }

    /** Default model directory of a shipped network, relative to the Atelier home (the repo root). */
    public static String defaultModelDir(String name) {
        return "data/models/nsfwjs-" + name;
    }

    /**
     * Reads what {@code name} needs: {@code modelDir} for the TF.js networks (null: the shipped
     * copy), {@code vggFile} for vgg16/vgg19. Fails in one line when something is missing.
     */
    public static ExtractorSpec resolve(String name, String modelDir, String vggFile, Configuration conf) {
        String n = name.toLowerCase(Locale.ROOT);
        switch (n) {
            case "mobilenet_v2", "inception_v3" -> {
                String dir = modelDir != null ? modelDir : defaultModelDir(n);
                TfjsLayersModel model = TfjsLayersModel.read(dir, conf);
                return new ExtractorSpec(n, dir, model, null, n + ":" + dir);
            }
            case "vgg19", "vgg16" -> {
                if (vggFile == null) {
                    throw new InvalidSettingException("{extractor} " + n + " needs {vgg} FILE.h5 (a whole Keras model"
                            + " saved with model.save); no VGG weights ship with Atelier");
                }
                byte[] bytes = HadoopFiles.readAll(new Path(vggFile), conf);
                return new ExtractorSpec(n, vggFile, null, bytes, n + ":" + vggFile + ":" + bytes.length);
            }
            case "random" -> {
                return new ExtractorSpec(n, "random weights, seed 1", null, null, "random:1");
            }
            default -> throw new InvalidSettingException("unknown {extractor} '" + name + "': use one of " + NAMES);
        }
    }

    public String name() {
        return name;
    }

    /** Where the weights came from, for provenance. */
    public String source() {
        return source;
    }

    /** Identifies the network within an executor's cache. */
    public String key() {
        return key;
    }

    /** Builds the network; HDF5 reads files only, so a .h5 goes through a temporary copy. */
    public FeatureNetwork build() {
        if (tfjs != null) {
            return FeatureNetworks.tfjs(name, tfjs);
        }
        if (h5 != null) {
            java.nio.file.Path tmp = null;
            try {
                tmp = Files.createTempFile("atelier-" + name + "-" + HexFormat.of().toHexDigits(key.hashCode()), ".h5");
                Files.write(tmp, h5);
                return FeatureNetworks.vggH5(name, KerasH5Model.read(tmp));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stage " + source + " for HDF5: " + e.getMessage(), e);
            } finally {
                if (tmp != null) {
                    tmp.toFile().delete();
                }
            }
        }
        return RandomFeatureNetwork.create(1, 32);
    }
}
