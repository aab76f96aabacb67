package io.atelier.common.data.ingest;

import io.atelier.common.image.SparkImage;

/**
 * One candidate image as a source yields it: encoded bytes (files, archive entries) or pixels
 * already decoded (IDX records, Spark image rows). Labels, split and caption are optional.
 */
record SourceItem(String origin, byte[] encoded, SparkImage pixels, String labelName, Integer label,
                  String split, long sizeBytes, String problem, String caption) {

    static SourceItem encoded(String origin, byte[] bytes, String labelName) {
        return encoded(origin, bytes, labelName, null);
    }

    static SourceItem encoded(String origin, byte[] bytes, String labelName, String caption) {
        return new SourceItem(origin, bytes, null, labelName, null, null, bytes.length, null, caption);
    }

    static SourceItem pixels(String origin, SparkImage pixels, String labelName, Integer label, String split,
                             String caption) {
        return new SourceItem(origin, null, pixels, labelName, label, split, pixels.data().length, null, caption);
    }

    /** An input that failed before decoding (unreadable file, oversized entry, bad archive, bad caption). */
    static SourceItem unreadable(String origin, long sizeBytes, String problem) {
        return new SourceItem(origin, null, null, null, null, null, sizeBytes, problem, null);
    }

    /**
     * An image whose sidecar caption is {@code caption}: the image with its text, or quarantined
     * with the caption's problem so that a caption is never dropped silently.
     */
    static SourceItem captioned(String origin, byte[] bytes, String labelName, SidecarCaptions.Caption caption) {
        if (caption == null) {
            return encoded(origin, bytes, labelName);
        }
        return caption.problem() != null ? unreadable(origin, bytes.length, caption.problem())
                : encoded(origin, bytes, labelName, caption.text());
    }
}
