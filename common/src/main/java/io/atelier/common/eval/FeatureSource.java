package io.atelier.common.eval;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A feature network as the evaluation job sees it: small and serialisable (where its weights are
 * and their hash), able to build a {@link FeatureExtractor} once per executor.
 */
public interface FeatureSource extends Serializable {
    FeatureExtractor open();

    int dimension();

    /** The network's input side length in pixels. */
    int size();

    /** The network's input channels. */
    int channels();

    /** Whether it can score images of this shape; by default only its own input size and channels. */
    default boolean accepts(int height, int width, int channels) {
        return height == size() && width == size() && channels == channels();
    }

    /** How images of this shape reach the network (goes into evaluation JSON). */
    default Map<String, Object> preprocessing(int height, int width, int channels) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", size());
        m.put("channels", channels());
        m.put("resize", "none: images must already have the feature network's input size");
        m.put("scale", "pixel / 127.5 - 1, RGB planes");
        return m;
    }

    /** The shapes it accepts, for error messages. */
    default String accepted() {
        return size() + "x" + size() + "x" + channels();
    }

    /** What defines the features: network name, file hash, layer (goes into evaluation JSON). */
    Map<String, Object> provenance();
}
