package io.atelier.common.eval;

import java.io.Serializable;
import java.util.Map;

/**
 * A feature network as the evaluation job sees it: small and serialisable (where its weights are
 * and their hash), able to build a {@link FeatureExtractor} once per executor.
 */
public interface FeatureSource extends Serializable {
    FeatureExtractor open();

    int dimension();

    /** Input side length in pixels; images must already have it (no resizing is done). */
    int size();

    int channels();

    /** What defines the features: network name, file hash, layer (goes into evaluation JSON). */
    Map<String, Object> provenance();
}
