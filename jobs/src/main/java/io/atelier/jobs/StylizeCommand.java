package io.atelier.jobs;

import io.atelier.common.catalog.Quarantine;
import io.atelier.common.style.GatysOptions;
import io.atelier.common.stylize.StylizeJob;
import io.atelier.common.stylize.StylizeOptions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code atelier stylize}: the catalog map stage, idempotent and resumable. */
@Command(name = "stylize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Stylize every image of a catalog with every style, once: a re-run with the same styles and",
                "parameters skips what is done, a killed run resumes, and new images are the next run's only work.",
                "Output: Parquet rows (id, origin, path, style, method, params, image) in OUT, its _quarantine",
                "table and _stylize.json; optionally PNG files mirroring the input's relative paths."})
final class StylizeCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "An image folder (recursively), a zip/tar archive, an Atelier dataset, or a glob of files.")
    String input;

    @Option(names = "--style", split = ",", paramLabel = "IMAGE", description = "Style images (gatys); the id is the file name without extension.")
    List<String> styles;

    @Option(names = "--model", split = ",", paramLabel = "MODEL", description = "Fast-style models (fast): train-style runs or their model/ directories.")
    List<String> models;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory: new, or an earlier stylize output to extend.")
    String out;

    @Option(names = "--method", defaultValue = "gatys", paramLabel = "gatys|fast", description = "Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--size", defaultValue = "256", paramLabel = "N", description = "Longer side of the stylized images (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--png-dir", paramLabel = "DIR", description = "Also write DIR/STYLE/<relative path>.png.")
    String pngDir;

    @Option(names = "--grid", paramLabel = "FILE.png",
            description = "After the run, write a before/after sheet of the output's first --grid-inputs inputs.")
    String grid;

    @Option(names = "--grid-inputs", defaultValue = "4", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int gridInputs;

    @Option(names = "--iterations", defaultValue = "100", paramLabel = "I", description = "Gatys iterations per scale (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--content-weight", paramLabel = "W", description = "Gatys content weight (default: the network's, 1).")
    Double contentWeight;

    @Option(names = "--style-weight", paramLabel = "W", description = "Gatys style weight (default: the network's, 1000).")
    Double styleWeight;

    @Option(names = "--tv-weight", paramLabel = "W", description = "Gatys total-variation weight (default: the network's, 1).")
    Double tvWeight;

    @Option(names = "--optimizer", defaultValue = "lbfgs", paramLabel = "lbfgs|adam", description = "Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--init", defaultValue = "content", paramLabel = "content|noise|style", description = "Where Gatys starts (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--preserve-color", description = "Transfer the style in luminance only; keep the content's colours.")
    boolean preserveColor;

    @Option(names = "--scales", defaultValue = "0", paramLabel = "N",
            description = "Gatys coarse-to-fine scales, each half the next (default: 1 up to 512 px, one more per doubling).")
    int scales;

    @Option(names = "--extractor", defaultValue = "mobilenet_v2", paramLabel = "NAME",
            description = "Gatys feature network: mobilenet_v2, inception_v3, or random (tests) (default: ${DEFAULT-VALUE}).")
    String extractor;

    @Option(names = "--model-dir", paramLabel = "DIR", description = "TF.js directory of the feature network (default: the shipped one).")
    String modelDir;

    @Option(names = "--content-layer", paramLabel = "NAME", description = "Gatys content layer (default: the network's).")
    String contentLayer;

    @Option(names = "--style-layers", split = ",", paramLabel = "NAME[:W]", description = "Gatys style layers and weights (default: the network's).")
    List<String> styleLayers;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Seed of --init noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--images-per-task", paramLabel = "N",
            description = "Images per Spark task, the unit of commit (default: 32 fast, 2 gatys).")
    Integer imagesPerTask;

    @Option(names = "--max-pixels", defaultValue = "50000000", paramLabel = "P",
            description = "Quarantine images whose header declares more pixels, before decoding (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        StylizeOptions.Method m = StylizeOptions.Method.parse(method);
        StylizeOptions d = StylizeOptions.of(input, styles, models, out, m);
        double[] weights = contentWeight == null && styleWeight == null && tvWeight == null ? null : new double[]{
                contentWeight == null ? 1.0 : contentWeight, styleWeight == null ? 1e3 : styleWeight,
                tvWeight == null ? 1.0 : tvWeight};
        Map<String, Double> layers = styleLayers == null ? Map.of() : GatysOptions.parseLayers(styleLayers);
        StylizeOptions options = new StylizeOptions(input, styles, models, out, m, size, iterations, weights,
                GatysOptions.Optimizer.parse(optimizer), GatysOptions.Init.parse(init), preserveColor, scales, extractor,
                modelDir, contentLayer, layers, pngDir, maxPixels, d.maxFileBytes(), seed,
                imagesPerTask == null ? d.imagesPerTask() : imagesPerTask);
        SparkSession session = SparkSessions.create("stylize", spark.master);
        StylizeJob.Summary s = new StylizeJob(session).run(options, StylizeCommand::progress);
        String unit = s.styles() > 1 ? " (image x style pairs: " + s.images() + " images x " + s.styles() + " styles)" : "";
        System.out.printf("stylize: %s%s in %.1f s -> %s%s%n", Quarantine.reconcile(s.in(), "stylized", s.stylized(),
                "skipped", s.skipped(), "quarantined", s.quarantined()), unit, s.seconds(), out,
                s.devices().isEmpty() ? "" : "; devices: " + String.join("; ", s.devices()));
        if (grid != null) {
            io.atelier.common.stylize.StylizeGrid.write(session, out, grid, gridInputs);
            System.out.println("stylize: before/after sheet " + grid);
        }
        return 0;
    }

    private static void progress(long done, long planned, double rate, Duration eta) {
        System.err.printf("stylize: %d/%d stylized, %.2f images/s%s%n", done, planned, rate,
                eta == null || done >= planned ? "" : ", ETA " + format(eta));
    }

    static String format(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
