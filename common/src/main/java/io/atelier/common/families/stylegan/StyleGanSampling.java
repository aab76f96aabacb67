package io.atelier.common.families.stylegan;

import io.atelier.common.families.SamplingOptions;

import io.atelier.common.io.InvalidSettingException;
import java.io.Serializable;
import java.util.Locale;

/**
 * How a StyleGAN samples: truncation psi around the tracked mean w (1 = none, 0 = the mean w for
 * every z), optional style mixing (style layers mixFrom..mixTo, inclusive, take the w of the same
 * sample index under mixSeed), and the per-pixel noise.
 */
public record StyleGanSampling(double truncation, Long mixSeed, int mixFrom, int mixTo, Noise noise) implements Serializable {
    /** The per-pixel noise inputs: the fixed maps stored in the state, fresh per sample, or zeros. */
    public enum Noise { CONST, RANDOM, NONE }

    public static final StyleGanSampling DEFAULT = new StyleGanSampling(1.0, null, -1, -1, Noise.CONST);

    public StyleGanSampling {
        if (!Double.isFinite(truncation)) {
            throw new InvalidSettingException("{truncation} must be a finite number, got " + truncation);
        }
    }

    /** The options given to generate, for a model with {@code numWs} style layers; one-line errors otherwise. */
    public static StyleGanSampling of(SamplingOptions o, int numWs) {
        if (!o.diffusionGiven().isEmpty()) {
            throw new InvalidSettingException(String.join(", ", o.diffusionGiven())
                    + ": a StyleGAN run takes {truncation}, {mixSeed}, {mixLayers} and {noiseMode} instead");
        }
        double psi = o.truncation() == null ? 1.0 : o.truncation();
        Noise noise = Noise.CONST;
        if (o.noiseMode() != null) {
            try {
                noise = Noise.valueOf(o.noiseMode().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("{noiseMode} " + o.noiseMode() + ": use const, random or none");
            }
        }
        if ((o.mixSeed() == null) != (o.mixLayers() == null)) {
            throw new InvalidSettingException("{mixSeed} and {mixLayers} go together: give both or neither");
        }
        int from = -1;
        int to = -1;
        if (o.mixLayers() != null) {
            String[] parts = o.mixLayers().trim().split("-", -1);
            String range = "this model has " + numWs + " style layers (0-" + (numWs - 1) + ")";
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                from = Integer.parseInt(parts[0].trim());
                to = Integer.parseInt(parts[1].trim());
            } catch (NumberFormatException e) {
                throw new InvalidSettingException("{mixLayers} " + o.mixLayers() + ": give A-B, e.g. 0-3; " + range);
            }
            if (from < 0 || to >= numWs || from > to) {
                throw new InvalidSettingException("{mixLayers} " + o.mixLayers() + ": out of range; " + range);
            }
        }
        return new StyleGanSampling(psi, o.mixSeed(), from, to, noise);
    }

    /** Whether style layer l takes the mixing seed's w. */
    boolean mixes(int layer) {
        return mixSeed != null && layer >= mixFrom && layer <= mixTo;
    }

    /** For provenance: what this spec changes from the default. */
    String describe() {
        return "EMA generator, truncation " + truncation + ", noise " + noise.name().toLowerCase(Locale.ROOT)
                + (mixSeed == null ? "" : ", layers " + mixFrom + "-" + mixTo + " from seed " + mixSeed);
    }
}
