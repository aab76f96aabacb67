package io.atelier.common.translate;

import io.atelier.common.io.Setting;

/**
 * Everything {@code atelier translate} takes, with its help: the command's flags are generated
 * from these components and {@link #DEFAULTS}, and a JSON config file fills the same record.
 */
public record TranslateSettings(
        @Setting(value = "A CycleGAN run directory (train-gan {model} cyclegan); its latest checkpoint is used.",
                label = "RUN") String model,
        @Setting(value = "a2b: domain A to B (generator G); b2a: B to A (generator F).", label = "a2b|b2a")
        String direction,
        @Setting(value = "An image folder (recursively), a zip/tar archive, an Atelier dataset, or a glob of files.",
                label = "PATH") String input,
        @Setting(value = "Output directory: new, or an earlier translate output to extend.", label = "DIR") String out,
        @Setting(value = "Also write DIR/DIRECTION/<relative path>.png.", label = "DIR") String pngDir,
        @Setting(value = "Images per Spark task, the unit of commit.", label = "N") int imagesPerTask,
        @Setting(value = "Images per generator call (the pixels do not depend on it).", label = "N") int batch,
        @Setting(value = "Quarantine images whose header declares more pixels, before decoding.", label = "P")
        long maxPixels) {
    public static final TranslateSettings DEFAULTS = new TranslateSettings(null, "a2b", null, null, null, 32, 8,
            50_000_000L);

    /** Larger input files are quarantined unread (as stylize does). */
    static final long MAX_FILE_BYTES = 256L << 20;
}
