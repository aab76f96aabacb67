package io.atelier.common.stylize;

import io.atelier.common.io.Setting;
import io.atelier.common.style.GatysOptions;

import java.util.List;
import java.util.Map;

/**
 * Everything {@code atelier stylize} takes, with its help: the command's flags are generated from
 * these components and {@link #DEFAULTS}, and a JSON config file fills the same record.
 * {@link #options()} makes the job's {@link StylizeOptions}; {@code grid} and {@code gridInputs}
 * are for {@link StylizeGrid} after the run.
 */
public record StylizeSettings(
        @Setting(value = "An image folder (recursively), a zip/tar archive, an Atelier dataset, or a glob of files.",
                label = "PATH") String input,
        @Setting(value = "Style images (gatys); the id is the file name without extension.", label = "IMAGE")
        List<String> style,
        @Setting(value = "Fast-style models (fast): train-style runs or their model/ directories.", label = "MODEL")
        List<String> model,
        @Setting(value = "Output directory: new, or an earlier stylize output to extend.", label = "DIR") String out,
        @Setting(value = "Stylization method.", label = "gatys|fast") String method,
        @Setting(value = "Longer side of the stylized images.", label = "N") int size,
        @Setting(value = "Also write DIR/STYLE/<relative path>.png.", label = "DIR") String pngDir,
        @Setting(value = "After the run, write a before/after sheet of the output's first {gridInputs} inputs.",
                label = "FILE.png") String grid,
        @Setting(value = "Inputs on the before/after sheet.", label = "N") int gridInputs,
        @Setting(value = "Gatys iterations per scale.", label = "I") int iterations,
        @Setting(value = "Gatys content weight (default: the network's, 1).", label = "W") Double contentWeight,
        @Setting(value = "Gatys style weight (default: the network's, 1000).", label = "W") Double styleWeight,
        @Setting(value = "Gatys total-variation weight (default: the network's, 1).", label = "W") Double tvWeight,
        @Setting(value = "Gatys optimizer.", label = "lbfgs|adam") String optimizer,
        @Setting(value = "Where Gatys starts.", label = "content|noise|style") String init,
        @Setting("Transfer the style in luminance only; keep the content's colours.") boolean preserveColor,
        @Setting(value = "Gatys coarse-to-fine scales, each half the next (0: 1 up to 512 px, one more per doubling).",
                label = "N") int scales,
        @Setting(value = "Gatys feature network: mobilenet_v2, inception_v3, or random (tests).", label = "NAME")
        String extractor,
        @Setting(value = "TF.js directory of the feature network (default: the shipped one).", label = "DIR")
        String modelDir,
        @Setting(value = "Gatys content layer (default: the network's).", label = "NAME") String contentLayer,
        @Setting(value = "Gatys style layers and weights (default: the network's).", label = "NAME[:W]")
        List<String> styleLayers,
        @Setting(value = "Seed of {init} noise.", label = "S") long seed,
        @Setting(value = "Images per Spark task, the unit of commit (default: 32 fast, 2 gatys).", label = "N")
        Integer imagesPerTask,
        @Setting(value = "Quarantine images whose header declares more pixels, before decoding.", label = "P")
        long maxPixels) {
    public static final StylizeSettings DEFAULTS = new StylizeSettings(null, List.of(), List.of(), null, "gatys", 256,
            null, null, 4, 100, null, null, null, "lbfgs", "content", false, 0, "mobilenet_v2", null, null, List.of(), 42L,
            null, 50_000_000L);

    public StylizeSettings {
        style = style == null ? List.of() : List.copyOf(style);
        model = model == null ? List.of() : List.copyOf(model);
        styleLayers = styleLayers == null ? List.of() : List.copyOf(styleLayers);
    }

    /**
     * The job's options: names parsed, a weight not given the network's, tasks sized by the
     * method unless given. Fails in one line on a missing input, output or style.
     */
    public StylizeOptions options() {
        StylizeOptions.Method m = StylizeOptions.Method.parse(method);
        StylizeOptions d = StylizeOptions.of(input, style, model, out, m);
        double[] weights = contentWeight == null && styleWeight == null && tvWeight == null ? null : new double[]{
                contentWeight == null ? 1.0 : contentWeight, styleWeight == null ? 1e3 : styleWeight,
                tvWeight == null ? 1.0 : tvWeight};
        Map<String, Double> layers = styleLayers.isEmpty() ? Map.of() : GatysOptions.parseLayers(styleLayers);
        return new StylizeOptions(input, style, model, out, m, size, iterations, weights,
                GatysOptions.Optimizer.parse(optimizer), GatysOptions.Init.parse(init), preserveColor, scales, extractor,
                modelDir, contentLayer, layers, pngDir, maxPixels, d.maxFileBytes(), seed,
                imagesPerTask == null ? d.imagesPerTask() : imagesPerTask);
    }
}
