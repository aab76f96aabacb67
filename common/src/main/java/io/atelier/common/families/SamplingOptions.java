package io.atelier.common.families;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Sampler choices of {@code generate} that only some model families take (diffusion: sampler,
 * steps, eta, guidance, prompt). Null means "not given": the family's default applies, and a
 * family that takes none of them refuses any that is given.
 */
public record SamplingOptions(String sampler, Integer steps, Double eta, Double guidance, String prompt)
        implements Serializable {
    public static final SamplingOptions NONE = new SamplingOptions(null, null, null, null, null);

    /** The flags given, as the user typed them (for a message refusing them). */
    public List<String> given() {
        List<String> out = new ArrayList<>();
        if (sampler != null) {
            out.add("--sampler");
        }
        if (steps != null) {
            out.add("--steps");
        }
        if (eta != null) {
            out.add("--eta");
        }
        if (guidance != null) {
            out.add("--guidance");
        }
        if (prompt != null) {
            out.add("--prompt");
        }
        return out;
    }
}
