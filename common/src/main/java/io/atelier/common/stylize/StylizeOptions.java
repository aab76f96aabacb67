package io.atelier.common.stylize;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.style.GatysOptions;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code atelier stylize} does; the CLI and tests build it, {@link StylizeJob} checks and runs it.
 *
 * @param input          an image folder, archive or file, an Atelier dataset, or a glob (read with binaryFile)
 * @param styles         style images (gatys); with fast, optional names to pick among the models' styles
 * @param models         fast-style model directories (fast only), one per style
 * @param size           the stylized image's longer side
 * @param iterations     Gatys iterations per scale
 * @param weights        content, style and TV weights; null: the network's defaults
 * @param contentLayer   null: the network's default
 * @param styleLayers    layer to weight; empty: the network's defaults
 * @param scales         coarse-to-fine scales for Gatys; 0 chooses from the size
 * @param pngDir         also write {@code PNGDIR/STYLE/<input's relative path>.png}; null for none
 * @param maxPixels      inputs whose header declares more pixels are quarantined before decoding
 * @param imagesPerTask  images per Spark task: the unit of commit, so of what a killed run loses
 */
public record StylizeOptions(String input, List<String> styles, List<String> models, String output, Method method,
                             int size, int iterations, double[] weights, GatysOptions.Optimizer optimizer,
                             GatysOptions.Init init, boolean preserveColor, int scales, String extractor,
                             String modelDir, String contentLayer, Map<String, Double> styleLayers, String pngDir,
                             long maxPixels, long maxFileBytes, long seed, int imagesPerTask) {

    public enum Method {
        GATYS, FAST;

        public static Method parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("unknown {method} '" + name + "': use gatys or fast");
            }
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public StylizeOptions {
        styles = styles == null ? List.of() : List.copyOf(styles);
        models = models == null ? List.of() : List.copyOf(models);
        styleLayers = styleLayers == null ? Map.of() : Map.copyOf(styleLayers);
        if (input == null || input.isBlank()) {
            throw new InvalidSettingException("{input}: give an image folder, archive, dataset or glob");
        }
        if (output == null || output.isBlank()) {
            throw new InvalidSettingException("{out}: give the output directory");
        }
        if (method == Method.GATYS && styles.isEmpty()) {
            throw new InvalidSettingException("{method} gatys needs {style} IMAGE[,IMAGE...]");
        }
        if (method == Method.FAST && models.isEmpty()) {
            throw new InvalidSettingException("{method} fast needs {model} MODEL[,MODEL...] (made by atelier train-style)");
        }
        if (method == Method.GATYS && !models.isEmpty()) {
            throw new InvalidSettingException("{model} is for {method} fast; gatys optimises each image itself");
        }
        if (size < 16 || size > 8192) {
            throw new InvalidSettingException("{size} " + size + ": use 16..8192 pixels");
        }
        if (iterations < 1) {
            throw new InvalidSettingException("{iterations} " + iterations + ": use at least 1");
        }
        if (weights != null && weights.length != 3) {
            throw new IllegalArgumentException("weights: give content, style and TV weights");
        }
        if (scales < 0) {
            throw new InvalidSettingException("{scales} " + scales + ": use 1 or more (0: chosen from {size})");
        }
        if (maxPixels <= 0 || maxFileBytes <= 0) {
            throw new InvalidSettingException("{maxPixels} and the file size limit must be positive");
        }
        if (imagesPerTask < 1) {
            throw new InvalidSettingException("{imagesPerTask} " + imagesPerTask + ": use at least 1");
        }
    }

    /** Defaults for everything but the input, styles or models, output and method. */
    public static StylizeOptions of(String input, List<String> styles, List<String> models, String output, Method method) {
        return new StylizeOptions(input, styles, models, output, method, 256, 100, null, GatysOptions.Optimizer.LBFGS,
                GatysOptions.Init.CONTENT, false, 0, "mobilenet_v2", null, null, Map.of(), null, 50_000_000L,
                256L << 20, 42, method == Method.FAST ? 32 : 2);
    }

    public StylizeOptions withSize(int s) {
        return new StylizeOptions(input, styles, models, output, method, s, iterations, weights, optimizer, init,
                preserveColor, scales, extractor, modelDir, contentLayer, styleLayers, pngDir, maxPixels, maxFileBytes,
                seed, imagesPerTask);
    }

    public StylizeOptions withIterations(int n) {
        return new StylizeOptions(input, styles, models, output, method, size, n, weights, optimizer, init,
                preserveColor, scales, extractor, modelDir, contentLayer, styleLayers, pngDir, maxPixels, maxFileBytes,
                seed, imagesPerTask);
    }

    public StylizeOptions withExtractor(String name, String dir) {
        return new StylizeOptions(input, styles, models, output, method, size, iterations, weights, optimizer, init,
                preserveColor, scales, name, dir, contentLayer, styleLayers, pngDir, maxPixels, maxFileBytes,
                seed, imagesPerTask);
    }

    public StylizeOptions withTasks(int perTask) {
        return new StylizeOptions(input, styles, models, output, method, size, iterations, weights, optimizer, init,
                preserveColor, scales, extractor, modelDir, contentLayer, styleLayers, pngDir, maxPixels, maxFileBytes,
                seed, perTask);
    }

    public StylizeOptions withPngDir(String dir) {
        return new StylizeOptions(input, styles, models, output, method, size, iterations, weights, optimizer, init,
                preserveColor, scales, extractor, modelDir, contentLayer, styleLayers, dir, maxPixels, maxFileBytes,
                seed, imagesPerTask);
    }

    public StylizeOptions withInput(String in) {
        return new StylizeOptions(in, styles, models, output, method, size, iterations, weights, optimizer, init,
                preserveColor, scales, extractor, modelDir, contentLayer, styleLayers, pngDir, maxPixels, maxFileBytes,
                seed, imagesPerTask);
    }
}
