package io.atelier.common.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * The JSON document that makes a directory a dataset: what is in it and what made it.
 * Written last, so its presence means the Parquet beside it is complete.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
        int schemaVersion,
        String format,
        String createdBy,
        int height,
        int width,
        int channels,
        /** "GRAY" or "BGR": the interleaving of the stored bytes. */
        String channelOrder,
        int shards,
        Counts counts,
        /** Index i is the name of label i; empty for an unlabelled dataset. */
        List<String> labelNames,
        /** Per channel over accepted images, pixel/255, in RGB order (networks' order). */
        double[] channelMean,
        double[] channelStd,
        /** What made the dataset: ingest parameters, or for generated data the model and seed. */
        Map<String, Object> provenance,
        /** Rows with a caption; null when the dataset has no caption column (none, or written before captions). */
        Long captioned) {

    public static final int SCHEMA_VERSION = 1;
    public static final String FORMAT = "atelier-image-dataset";

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Counts(
            long rows,
            Map<String, Long> perSplit,
            /** label index -> split -> count; "unlabelled" for rows without a label. */
            Map<String, Map<String, Long>> perLabel,
            Map<Integer, Long> perShard,
            /** The ingest's reconciliation: in = accepted + duplicates + quarantined. */
            Long in,
            Long accepted,
            Long duplicates,
            Long quarantined) {
    }

    public boolean hasCaptions() {
        return captioned != null && captioned > 0;
    }

    public long count(String split) {
        return counts.perSplit().getOrDefault(split, 0L);
    }
}
