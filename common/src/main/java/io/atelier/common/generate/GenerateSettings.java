package io.atelier.common.generate;

import io.atelier.common.families.SamplingOptions;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

/**
 * Everything {@code atelier generate} takes, with its help: the command's flags are generated from
 * these components and {@link #DEFAULTS}, and a JSON config file fills the same record. The job
 * itself takes the two parts: {@link #sampling()} for the run's sampler and {@link #generation()}.
 */
public record GenerateSettings(
        @Setting(value = "Run directory of train-gan or train-diffusion.", label = "RUN") String model,
        @Setting(value = "Images to generate.", label = "N") Long count,
        @Setting(value = "Dataset directory to write.", label = "DATASET") String out,
        @Setting(value = "Also write PNG files, one folder per label.", label = "DIR") String pngDir,
        @Setting(value = "Sampling seed.", label = "S") long seed,
        @Setting(value = "Class for a conditional model, or 'all' to spread the count over classes.", label = "L|all")
        String label,
        @Setting(value = "Spark tasks (default: one per 256 images, at most 64).", label = "P") Integer partitions,
        @Setting(value = "Diffusion sampler (default: ddim).", label = "ddpm|ddim") String sampler,
        @Setting(value = "DDIM steps, evenly spaced over T (default: 50).", label = "S") Integer steps,
        @Setting(value = "DDIM noise: 0 deterministic, 1 the posterior variance (default: 0).", label = "E") Double eta,
        @Setting(value = "Classifier-free guidance: eps_u + G (eps_c - eps_u) (default: 2).", label = "G") Double guidance,
        @Setting(value = "Condition every sample on these words (a conditional diffusion run).", label = "TEXT")
        String prompt,
        @Setting(value = "StyleGAN truncation psi around the mean w: 1 none, 0 the mean image (default: 1).", label = "PSI")
        Double truncation,
        @Setting(value = "StyleGAN style mixing: sample i takes {mixLayers}' styles from sample i of this seed.", label = "S")
        Long mixSeed,
        @Setting(value = "StyleGAN style layers A to B (0-based, inclusive) taken from {mixSeed}.", label = "A-B")
        String mixLayers,
        @Setting(value = "StyleGAN per-pixel noise: const (fixed maps), random or none (default: const).",
                label = "const|random|none") String noiseMode,
        @Setting(value = "Shards of the output.", label = "N") int shards) {
    public static final GenerateSettings DEFAULTS = new GenerateSettings(null, null, null, null, 0L, null, null, null,
            null, null, null, null, null, null, null, null, 8);

    public GenerateSettings {
        if (prompt != null && label != null) {
            throw new InvalidSettingException("{prompt} and {label}: give one of them");
        }
    }

    /** Checks what has no default: the run, how many images and where they go. */
    public void requireGiven() {
        if (model == null || model.isBlank()) {
            throw new InvalidSettingException("{model}: give the run directory to sample from");
        }
        if (count == null) {
            throw new InvalidSettingException("{count}: give the number of images to generate");
        }
        if (out == null || out.isBlank()) {
            throw new InvalidSettingException("{out}: give the dataset directory to write");
        }
    }

    /** The sampler choices for the run's family (null: its default). */
    public SamplingOptions sampling() {
        return new SamplingOptions(sampler, steps, eta, guidance, prompt, truncation, mixSeed, mixLayers, noiseMode);
    }

    /** The job's options: the label parsed, partitions by the count unless given. */
    public GenerationOptions generation() {
        requireGiven();
        boolean all = "all".equalsIgnoreCase(label);
        Integer fixed = label == null || all ? null : parseLabel(label);
        GenerationOptions byCount = GenerationOptions.of(count, out, seed);
        return new GenerationOptions(count, out, pngDir, seed, fixed, all,
                partitions != null ? partitions : byCount.partitions(), shards, byCount.batch());
    }

    private static int parseLabel(String label) {
        try {
            return Integer.parseInt(label.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("{label} " + label + ": give a class number or 'all'");
        }
    }
}
