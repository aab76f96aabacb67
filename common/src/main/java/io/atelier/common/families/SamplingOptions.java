package io.atelier.common.families;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Sampler choices of {@code generate} that only some model families take (diffusion: sampler,
 * steps, eta, guidance, prompt; StyleGAN: truncation, style mixing, noise mode). Null means "not
 * given": the family's default applies, and a family refuses any given option it does not take.
 */
public record SamplingOptions(String sampler, Integer steps, Double eta, Double guidance, String prompt,
                              Double truncation, Long mixSeed, String mixLayers, String noiseMode)
        implements Serializable {
    public static final SamplingOptions NONE = new SamplingOptions(null, null, null, null, null);

    /** The diffusion options alone (none of StyleGAN's). */
    public SamplingOptions(String sampler, Integer steps, Double eta, Double guidance, String prompt) {
        this(sampler, steps, eta, guidance, prompt, null, null, null, null);
    }

    /** The settings given, in braces as {@link #diffusionGiven} (for a message refusing them). */
    public List<String> given() {
        List<String> out = diffusionGiven();
        out.addAll(styleGanGiven());
        return out;
    }

    /** The diffusion sampler's settings that were given, each in braces ({@code {steps}}) for an {@link io.atelier.common.io.InvalidSettingException}. */
    public List<String> diffusionGiven() {
        List<String> out = new ArrayList<>();
        add(out, sampler, "{sampler}");
        add(out, steps, "{steps}");
        add(out, eta, "{eta}");
        add(out, guidance, "{guidance}");
        add(out, prompt, "{prompt}");
        return out;
    }

    /** StyleGAN's sampling settings that were given, in braces as {@link #diffusionGiven}. */
    public List<String> styleGanGiven() {
        List<String> out = new ArrayList<>();
        add(out, truncation, "{truncation}");
        add(out, mixSeed, "{mixSeed}");
        add(out, mixLayers, "{mixLayers}");
        add(out, noiseMode, "{noiseMode}");
        return out;
    }

    private static void add(List<String> out, Object value, String setting) {
        if (value != null) {
            out.add(setting);
        }
    }
}
