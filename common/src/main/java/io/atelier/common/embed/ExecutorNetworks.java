package io.atelier.common.embed;

import io.atelier.common.exec.ExecutorCache;
import io.atelier.common.features.FeatureNetwork;

/**
 * One feature network per executor JVM and spec, shared by all its tasks (and by later jobs there):
 * embed, stylize's Gatys stylizers and eval's network features. Feature networks are safe to run
 * from several tasks at once (SameDiff keeps one inference session per thread).
 */
public final class ExecutorNetworks {
    /** Networks kept per JVM: a job uses one; a few cover jobs run one after another. */
    static final int NETWORKS = 4;
    private static final ExecutorCache<String, FeatureNetwork> CACHE = new ExecutorCache<>(NETWORKS);

    private ExecutorNetworks() {
    }

    public static FeatureNetwork get(ExtractorSpec spec) {
        return CACHE.get(spec.key(), k -> spec.build());
    }

    /** Networks this JVM has built (tests check that tasks share them). */
    static int builds() {
        return CACHE.builds();
    }
}
