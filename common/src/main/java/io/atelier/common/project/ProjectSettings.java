package io.atelier.common.project;

import io.atelier.common.io.Setting;

/**
 * Everything {@code atelier project} takes, with its help: the command's flags are generated
 * from these components and {@link #DEFAULTS}, and a JSON config file fills the same record.
 */
public record ProjectSettings(
        @Setting(value = "A StyleGAN run directory (train-gan {model} stylegan); its latest checkpoint is used.",
                label = "RUN") String model,
        @Setting(value = "An image folder (recursively), a zip/tar archive, an Atelier dataset, or a glob of files.",
                label = "PATH") String input,
        @Setting(value = "Output directory: new, or an earlier project output to extend.", label = "DIR") String out,
        @Setting(value = "Also write DIR/SPACE/<relative path>.png (the reconstructions).", label = "DIR") String pngDir,
        @Setting(value = "Adam steps per image.", label = "N") int steps,
        @Setting(value = "w: one latent per image; w+: one per style layer.", label = "w|w+") String space,
        @Setting(value = "Images optimised together in one forward/backward pass (latents differ by rounding only).",
                label = "N") int batch,
        @Setting(value = "Feature network of the feature loss: mobilenet_v2 (shipped), inception_v3, or random (tests).",
                label = "NAME") String extractor,
        @Setting(value = "TF.js directory of the feature network (default: the shipped one).", label = "DIR")
        String modelDir,
        @Setting(value = "Layer of the feature loss (default: block_1_expand_relu for mobilenet_v2, conv2 for random).",
                label = "NAME") String featureLayer,
        @Setting(value = "Weight of the feature loss beside pixel MSE (0: pixel loss only, no feature network).",
                label = "W") double featureWeight,
        @Setting(value = "Weight of the noise maps' autocorrelation penalty (as NVlabs' projector).", label = "W")
        double noiseWeight,
        @Setting(value = "Seed of the projector's random draws (noise maps, w jitter).", label = "S") long seed,
        @Setting(value = "Images per Spark task, the unit of commit.", label = "N") int imagesPerTask,
        @Setting(value = "Quarantine images whose header declares more pixels, before decoding.", label = "P")
        long maxPixels) {
    public static final ProjectSettings DEFAULTS = new ProjectSettings(null, null, null, null, 500, "w", 8,
            "mobilenet_v2", null, null, 1.0, 1e5, 0, 16, 50_000_000L);

    /** Larger input files are quarantined unread (as stylize does). */
    static final long MAX_FILE_BYTES = 256L << 20;
}
