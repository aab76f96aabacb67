package io.atelier.jobs;

import io.atelier.common.catalog.Quarantine;
import io.atelier.common.embed.EmbedJob;
import io.atelier.common.embed.EmbedOptions;
import io.atelier.common.embed.ExtractorSpec;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code atelier embed}: feature vectors of images from a feature network, as Parquet (and JSON lines). */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write one feature vector per image and layer: the global average of the layer's map",
                "(the model's output for its last layer), with the image's id and origin.",
                "Output: Parquet rows (id, origin, layer, vector, error, size), OUT/_quarantine (origin, reason, size)",
                "of the rejected images, and OUT/_embedding.json."})
final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "A dataset directory, an image folder (read recursively), a zip/tar/tar.gz archive of images,"
                    + " an image file or a glob of image files.")
    String input;

    @Option(names = "--extractor", defaultValue = "mobilenet_v2", paramLabel = "NAME",
            description = "mobilenet_v2, inception_v3 (shipped), vgg19 or vgg16 (with --vgg) (default: ${DEFAULT-VALUE}).")
    String extractor;

    @Option(names = "--vgg", paramLabel = "FILE.h5", description = "A whole Keras VGG model saved with model.save.")
    String vgg;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "TF.js model directory for mobilenet_v2/inception_v3 (default: data/models/nsfwjs-NAME).")
    String modelDir;

    @Option(names = "--layer", split = ",", paramLabel = "NAME",
            description = "Layers as named in the model's config, e.g. block_8_add, mixed5, block4_conv1 "
                    + "(default: the model's output layer).")
    List<String> layers;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory to create.")
    String out;

    @Option(names = "--json", description = "Also print one JSON line per image and layer: {\"origin\", \"layer\", \"vector\"}.")
    boolean json;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-pixels", defaultValue = "50000000", paramLabel = "P",
            description = "Reject images whose header declares more pixels, before decoding (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        EmbedOptions options = new EmbedOptions(input, layers, out, maxPixels, batch);
        SparkSession session = SparkSessions.create("embed", spark.master);
        ExtractorSpec spec = ExtractorSpec.resolve(extractor, modelDir, vgg, session.sparkContext().hadoopConfiguration());
        EmbedJob.Summary s = new EmbedJob(session).run(spec, options, json ? System.out::println : null);
        PrintStream report = json ? System.err : System.out;
        report.printf("embed: %s; %d vectors (%s) in %s; devices: %s%n", Quarantine.reconcile(s.in(), "embedded", s.embedded(),
                "rejected", s.rejected()), s.vectors(), String.join(", ", s.layers()), out, String.join("; ", s.devices()));
        s.rejections().forEach(r -> report.println("embed: rejected " + r));
        if (s.rejected() > s.rejections().size()) {
            report.printf("embed: %d more rejected, each with its reason in %s/%s%n", s.rejected() - s.rejections().size(),
                    out, Quarantine.DIRECTORY);
        }
        return s.embedded() > 0 ? 0 : 1;
    }
}
