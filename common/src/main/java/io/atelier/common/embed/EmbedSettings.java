package io.atelier.common.embed;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;
import org.apache.hadoop.conf.Configuration;

import java.util.List;

/**
 * Everything {@code atelier embed} takes, with its help: the command's flags are generated from
 * these components and {@link #DEFAULTS}, and a JSON config file fills the same record. The job
 * takes its two parts: {@link #extractor} and {@link #options()}.
 */
public record EmbedSettings(
        @Setting(value = "A dataset directory, an image folder (read recursively), a zip/tar/tar.gz archive of images, "
                + "an image file or a glob of image files.", label = "PATH") String input,
        @Setting(value = "mobilenet_v2, inception_v3 (shipped), vgg19 or vgg16 (with {vgg}).", label = "NAME")
        String extractor,
        @Setting(value = "A whole Keras VGG model saved with model.save.", label = "FILE.h5") String vgg,
        @Setting(value = "TF.js model directory for mobilenet_v2/inception_v3 (default: data/models/nsfwjs-NAME).",
                label = "DIR") String modelDir,
        @Setting(value = "Layers as named in the model's config, e.g. block_8_add, mixed5, block4_conv1 (default: the "
                + "model's output layer).", label = "NAME") List<String> layer,
        @Setting(value = "Output directory to create.", label = "DIR") String out,
        @Setting("Also print one JSON line per image and layer: {\"origin\", \"layer\", \"vector\"}.") boolean json,
        @Setting(value = "Images per forward pass.", label = "N") int batch,
        @Setting(value = "Reject images whose header declares more pixels, before decoding.", label = "P") long maxPixels) {
    public static final EmbedSettings DEFAULTS = new EmbedSettings(null, "mobilenet_v2", null, null, List.of(), null,
            false, 16, 50_000_000L);

    public EmbedSettings {
        layer = layer == null ? List.of() : List.copyOf(layer);
    }

    /** The job's options; fails in one line without an input or an output directory. */
    public EmbedOptions options() {
        if (input == null || input.isBlank()) {
            throw new InvalidSettingException("{input}: give the images to embed");
        }
        if (out == null || out.isBlank()) {
            throw new InvalidSettingException("{out}: give the output directory to create");
        }
        return new EmbedOptions(input, layer, out, maxPixels, batch);
    }

    /** The feature network, read as {@link ExtractorSpec#resolve} does. */
    public ExtractorSpec extractor(Configuration conf) {
        return ExtractorSpec.resolve(extractor, modelDir, vgg, conf);
    }
}
