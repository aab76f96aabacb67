package io.atelier.common.data.ingest;

import io.atelier.common.image.ImageFit;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

import java.util.List;

/**
 * Everything {@code atelier ingest} takes, with its help: the command's flags are generated from
 * these components and {@link #DEFAULTS}, and a JSON config file fills the same record.
 * {@link #options()} makes the {@link IngestOptions} the ingest records in its manifest.
 */
public record IngestSettings(
        @Setting(value = "Inputs to read.", label = "PATH", arity = "1..*") List<String> input,
        @Setting(value = "Dataset directory to create.", label = "DIR") String output,
        @Setting(value = "Square side of the stored images.", label = "N") Integer size,
        @Setting(value = "1 (gray) or 3 (color); 0: 1 for IDX, else 3.", label = "1|3") int channels,
        @Setting(value = "How non-square images become square.", label = "crop|pad|stretch") String fit,
        @Setting(value = "Shard count.", label = "N") int shards,
        @Setting(value = "Share of images in the test split, chosen by a seeded hash ({splitBy}); 0 puts all in train, 1 all in test.",
                label = "F") double testFraction,
        @Setting(value = "Split seed.", label = "S") long seed,
        @Setting(value = "Hash the image content, or the file name without its folders (paired sets: equal names share a split).",
                label = "content|name") String splitBy,
        @Setting(value = "Take labels from folders and sources, or none.", label = "folder|none") String labels,
        @Setting(value = "Reject images whose header declares more pixels, before decoding.", label = "P") long maxPixels,
        @Setting(value = "Names for integer labels (IDX) (default: class-names.txt beside the IDX files).", label = "NAME")
        List<String> labelNames) {
    public static final IngestSettings DEFAULTS = new IngestSettings(List.of(), null, null, 0, "crop", 8, 0.1, 42L,
            "content", "folder", IngestOptions.DEFAULT_MAX_PIXELS, List.of());

    public IngestSettings {
        input = input == null ? List.of() : List.copyOf(input);
        labelNames = labelNames == null ? List.of() : List.copyOf(labelNames);
    }

    /** The ingest's options: names parsed; fails in one line on what has no default. */
    public IngestOptions options() {
        if (input.isEmpty()) {
            throw new InvalidSettingException("{input}: give the paths to read");
        }
        if (size == null) {
            throw new InvalidSettingException("{size}: give the square side of the stored images");
        }
        return new IngestOptions(input, output, size, channels, ImageFit.parse(fit), shards, testFraction, seed,
                LabelSource.parse(labels), maxPixels, IngestOptions.DEFAULT_MAX_FILE_BYTES,
                labelNames.isEmpty() ? null : labelNames, SplitBy.parse(splitBy));
    }
}
