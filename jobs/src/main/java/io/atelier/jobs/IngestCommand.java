package io.atelier.jobs;

import io.atelier.common.data.ingest.Ingest;
import io.atelier.common.data.ingest.IngestOptions;
import io.atelier.common.data.ingest.IngestSummary;
import io.atelier.common.data.ingest.LabelSource;
import io.atelier.common.image.ImageFit;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code atelier ingest}: image collections -> a sharded Parquet dataset with a manifest. */
@Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Decode, fit, de-duplicate, split and shard images into a dataset directory.",
                "Inputs: image folders (label = first sub-folder), zip/tar/tar.gz archives, IDX files,",
                "Parquet with Spark's image struct, or an existing dataset. Bad files go to DIR/_quarantine."})
final class IngestCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH", description = "Inputs to read.")
    List<String> inputs;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Dataset directory to create.")
    String output;

    @Option(names = "--size", required = true, paramLabel = "N", description = "Square side of the stored images.")
    int size;

    @Option(names = "--channels", paramLabel = "1|3", description = "1 (gray) or 3 (color). Default: 1 for IDX, else 3.")
    int channels;

    @Option(names = "--fit", defaultValue = "crop", paramLabel = "crop|pad|stretch",
            description = "How non-square images become square (default: ${DEFAULT-VALUE}).")
    String fit;

    @Option(names = "--shards", defaultValue = "8", paramLabel = "N", description = "Shard count (default: ${DEFAULT-VALUE}).")
    int shards;

    @Option(names = "--test-fraction", defaultValue = "0.1", paramLabel = "F",
            description = "Share of images in the test split, chosen by content hash; 0 puts all in train, 1 all in "
                    + "test (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Split seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--labels", defaultValue = "folder", paramLabel = "folder|none",
            description = "Take labels from folders and sources, or none (default: ${DEFAULT-VALUE}).")
    String labels;

    @Option(names = "--max-pixels", defaultValue = "50000000", paramLabel = "P",
            description = "Reject images whose header declares more pixels, before decoding (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--label-names", split = ",", paramLabel = "NAME",
            description = "Names for integer labels (IDX). Default: class-names.txt beside the IDX files.")
    List<String> labelNames;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        IngestOptions options = new IngestOptions(inputs, output, size, channels, ImageFit.parse(fit), shards,
                testFraction, seed, LabelSource.parse(labels), maxPixels, IngestOptions.DEFAULT_MAX_FILE_BYTES, labelNames);
        SparkSession session = SparkSessions.create("ingest", spark.master);
        IngestSummary summary = JobSteps.ingest(session, options);
        return summary.accepted() > 0 ? 0 : 1;
    }
}
