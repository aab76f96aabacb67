package io.atelier.common.runs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's {@code meta.json}: where the state stands and everything that must match to
 * resume it bit-identically (seed, W, K, model, dataset), plus the versions that made it.
 *
 * @param dataset               the (first) dataset's path
 * @param datasetManifestSha256 the sha256 of its {@code _manifest.json}
 * @param tensors               value count per tensor
 * @param inputs                every dataset of a run trained on several, in order; null (and absent from
 *                              the file) for a run of one dataset, whose meta.json stays as it always was
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckpointMeta(int format, int round, long step, long seed, int workers, int localSteps,
                             String trainer, String dataset, String datasetManifestSha256,
                             LinkedHashMap<String, Integer> tensors, Map<String, String> versions, String writtenAt,
                             @JsonInclude(JsonInclude.Include.NON_NULL) List<Input> inputs) {

    public static final int FORMAT = 1;

    /** One dataset of a run on several: its path and the sha256 of its manifest. */
    public record Input(String path, String manifestSha256) {
    }

    public static LinkedHashMap<String, Integer> sizes(TrainingState state) {
        LinkedHashMap<String, Integer> sizes = new LinkedHashMap<>();
        state.tensors().forEach((name, v) -> sizes.put(name, v.length));
        return sizes;
    }
}
