package io.atelier.common.data.ingest;

import io.atelier.common.image.SparkImage;

/**
 * One candidate image as a source yields it: encoded bytes (files, archive entries) or pixels
 * already decoded (IDX records, Spark image rows). Labels and split are optional.
 */
record SourceItem(String origin, byte[] encoded, SparkImage pixels, String labelName, Integer label,
                  String split, long sizeBytes, String problem) {

    static SourceItem encoded(String origin, byte[] bytes, String labelName) {
        return new SourceItem(origin, bytes, null, labelName, null, null, bytes.length, null);
    }

    static SourceItem pixels(String origin, SparkImage pixels, String labelName, Integer label, String split) {
        return new SourceItem(origin, null, pixels, labelName, label, split, pixels.data().length, null);
    }

    /** An input that failed before decoding (unreadable file, oversized entry, bad archive). */
    static SourceItem unreadable(String origin, long sizeBytes, String problem) {
        return new SourceItem(origin, null, null, null, null, null, sizeBytes, problem);
    }
}
