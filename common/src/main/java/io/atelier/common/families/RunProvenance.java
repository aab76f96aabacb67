package io.atelier.common.families;

import java.util.LinkedHashMap;
import java.util.Map;

/** What every family's run-as-a-generator records about where its samples came from. */
public final class RunProvenance {
    private RunProvenance() {
    }

    /** Run directory, family, checkpoint round and SHA-256, sampler; a family adds its own keys after these. */
    public static Map<String, Object> of(String runDir, String family, int round, String checkpointSha256, String sampler) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("run", runDir);
        p.put("family", family);
        p.put("checkpointRound", round);
        p.put("checkpointSha256", checkpointSha256);
        p.put("sampler", sampler);
        return p;
    }
}
