package io.atelier.common.data.ingest;

import io.atelier.common.image.ImageFit;

import io.atelier.common.io.InvalidSettingException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that decides an ingest's output. Two ingests with equal options over the same
 * inputs write identical shards.
 *
 * @param inputs   paths to read; may be empty when every input is a frame passed to
 *                 {@link Ingest#run(java.util.List, IngestProgress)}
 * @param channels 1 or 3, or 0 to choose: 1 for IDX-only inputs, 3 otherwise
 * @param labelNames names for integer labels (IDX); null to use a {@code class-names.txt} beside
 *                   the IDX files, or the numbers themselves
 * @param splitBy  what the seeded split hash reads: the content id, or the file name (paired sets)
 */
public record IngestOptions(List<String> inputs, String output, int size, int channels, ImageFit fit,
                            int shards, double testFraction, long seed, LabelSource labels, long maxPixels,
                            long maxFileBytes, List<String> labelNames, SplitBy splitBy) implements Serializable {

    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    public static final long DEFAULT_MAX_FILE_BYTES = 256L << 20;

    public IngestOptions {
        if (inputs == null) {
            throw new InvalidSettingException("{input}: give a list of paths (empty only with frames)");
        }
        if (output == null || output.isBlank()) {
            throw new InvalidSettingException("{output}: give the dataset directory to write");
        }
        if (size < 8 || size > 4096) {
            throw new InvalidSettingException("{size} " + size + ": use 8..4096 pixels");
        }
        if (channels != 0 && channels != 1 && channels != 3) {
            throw new InvalidSettingException("{channels} " + channels + ": use 1 (gray) or 3 (color)");
        }
        if (shards < 1 || shards > 10_000) {
            throw new InvalidSettingException("{shards} " + shards + ": use 1..10000");
        }
        if (!(testFraction >= 0 && testFraction <= 1)) {
            throw new InvalidSettingException("{testFraction} " + testFraction + ": use a value in [0, 1]");
        }
        if (maxPixels <= 0) {
            throw new InvalidSettingException("{maxPixels} " + maxPixels + ": must be positive");
        }
        if (splitBy == null) {
            throw new InvalidSettingException("{splitBy}: give content or name");
        }
        inputs = List.copyOf(inputs);
        labelNames = labelNames == null ? null : List.copyOf(labelNames);
    }

    /** Split by content, as every ingest did before {@link SplitBy} existed. */
    public IngestOptions(List<String> inputs, String output, int size, int channels, ImageFit fit, int shards,
                         double testFraction, long seed, LabelSource labels, long maxPixels, long maxFileBytes,
                         List<String> labelNames) {
        this(inputs, output, size, channels, fit, shards, testFraction, seed, labels, maxPixels, maxFileBytes,
                labelNames, SplitBy.CONTENT);
    }

    /** Defaults for everything but what every ingest must say. */
    public static IngestOptions of(List<String> inputs, String output, int size) {
        return new IngestOptions(inputs, output, size, 0, ImageFit.CROP, 8, 0.1, 42L, LabelSource.FOLDER,
                DEFAULT_MAX_PIXELS, DEFAULT_MAX_FILE_BYTES, null, SplitBy.CONTENT);
    }

    public IngestOptions withChannels(int c) {
        return new IngestOptions(inputs, output, size, c, fit, shards, testFraction, seed, labels, maxPixels,
                maxFileBytes, labelNames, splitBy);
    }

    public IngestOptions withShards(int s) {
        return new IngestOptions(inputs, output, size, channels, fit, s, testFraction, seed, labels, maxPixels,
                maxFileBytes, labelNames, splitBy);
    }

    public IngestOptions withOutput(String out) {
        return new IngestOptions(inputs, out, size, channels, fit, shards, testFraction, seed, labels, maxPixels,
                maxFileBytes, labelNames, splitBy);
    }

    public IngestOptions withMaxPixels(long p) {
        return new IngestOptions(inputs, output, size, channels, fit, shards, testFraction, seed, labels, p,
                maxFileBytes, labelNames, splitBy);
    }

    public IngestOptions withSplitBy(SplitBy by) {
        return new IngestOptions(inputs, output, size, channels, fit, shards, testFraction, seed, labels, maxPixels,
                maxFileBytes, labelNames, by);
    }

    /** The options as recorded in the manifest's provenance (paths as given). */
    public Map<String, Object> describe(int resolvedChannels) {
        return describe(resolvedChannels, 0);
    }

    /** As {@link #describe(int)}, noting how many in-memory frames were ingested besides the paths. */
    public Map<String, Object> describe(int resolvedChannels, int frames) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputs", inputs);
        if (frames > 0) {
            m.put("frames", frames);
        }
        m.put("size", size);
        m.put("channels", resolvedChannels);
        m.put("fit", fit.name().toLowerCase());
        m.put("shards", shards);
        m.put("testFraction", testFraction);
        m.put("seed", seed);
        if (splitBy != SplitBy.CONTENT) {
            m.put("splitBy", splitBy.flagValue()); // absent for content: older manifests still match
        }
        m.put("labels", labels.name().toLowerCase());
        m.put("maxPixels", maxPixels);
        if (labelNames != null) {
            m.put("labelNames", labelNames);
        }
        return m;
    }
}
