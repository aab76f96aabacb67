package io.atelier.common.embed;

import io.atelier.common.features.FeatureNetwork;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One network per executor JVM and spec, shared by all its tasks (and by later jobs there). */
public final class ExecutorNetworks {
    private static final Map<String, FeatureNetwork> NETWORKS = new ConcurrentHashMap<>();

    private ExecutorNetworks() {
    }

    public static FeatureNetwork get(ExtractorSpec spec) {
        return NETWORKS.computeIfAbsent(spec.key(), k -> spec.build());
    }
}
