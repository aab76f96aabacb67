package io.atelier.common.runs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checkpoint's {@code meta.json}: where the state stands and everything that must match to
 * resume it bit-identically (seed, W, K, model, dataset), plus the versions that made it.
 *
 * @param tensors value count per tensor
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckpointMeta(int format, int round, long step, long seed, int workers, int localSteps,
                             String trainer, String dataset, String datasetManifestSha256,
                             LinkedHashMap<String, Integer> tensors, Map<String, String> versions, String writtenAt) {

    public static final int FORMAT = 1;

    public static LinkedHashMap<String, Integer> sizes(TrainingState state) {
        LinkedHashMap<String, Integer> sizes = new LinkedHashMap<>();
        state.tensors().forEach((name, v) -> sizes.put(name, v.length));
        return sizes;
    }
}
