package io.atelier.jobs;

import io.atelier.common.style.FastStyleTraining;
import io.atelier.common.style.TransformerNet;
import io.atelier.common.train.EngineConfig;
import io.atelier.common.train.TrainingResult;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code atelier train-style}: a fast style network for one style image, on the averaging engine. */
@Command(name = "train-style", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a feed-forward style network (Johnson et al.) for one style image on a dataset's photos,",
                "with the Gatys perceptual losses through a feature network, by parameter averaging across workers.",
                "The run directory gets config.json, checkpoints/, metrics.jsonl, samples/, report.html and model/,",
                "which atelier stylize --method fast --model RUN reads."})
final class TrainStyleCommand implements Callable<Integer> {
    @Option(names = "--style", required = true, paramLabel = "IMAGE", description = "The style image; its file name names the style.")
    String style;
    @Option(names = "--data", required = true, paramLabel = "DATASET", description = "A dataset of colour photos (its train split).")
    String data;
    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory to create (or continue with --resume).")
    String out;
    @Option(names = "--extractor", defaultValue = "mobilenet_v2", paramLabel = "NAME",
            description = "Feature network of the losses: mobilenet_v2, inception_v3, random (default: ${DEFAULT-VALUE}).")
    String extractor;
    @Option(names = "--model-dir", paramLabel = "DIR", description = "TF.js directory of the feature network (default: the shipped one).")
    String modelDir;
    @Option(names = "--channels", defaultValue = "16", paramLabel = "C", description = "Channels of the first convolution (default: ${DEFAULT-VALUE}).")
    int channels;
    @Option(names = "--residual-blocks", defaultValue = "3", paramLabel = "R", description = "Residual blocks (default: ${DEFAULT-VALUE}).")
    int residualBlocks;
    @Option(names = "--crop", defaultValue = "128", paramLabel = "N", description = "Random square crops of this side (default: ${DEFAULT-VALUE}).")
    int crop;
    @Option(names = "--batch", defaultValue = "4", paramLabel = "B", description = "Crops per step and worker (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--style-size", defaultValue = "256", paramLabel = "N", description = "Style image's longer side for its Gram matrices (default: ${DEFAULT-VALUE}).")
    int styleSize;
    @Option(names = "--content-weight", paramLabel = "W", description = "Default: the network's Gatys default.")
    Double contentWeight;
    @Option(names = "--style-weight", paramLabel = "W", description = "Default: the network's Gatys default.")
    Double styleWeight;
    @Option(names = "--tv-weight", paramLabel = "W", description = "Default: the network's Gatys default.")
    Double tvWeight;
    @Option(names = "--lr", defaultValue = "0.002", paramLabel = "LR", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--workers", defaultValue = "1", paramLabel = "W", description = "Workers, one Spark task each (default: ${DEFAULT-VALUE}).")
    int workers;
    @Option(names = "--local-steps", defaultValue = "10", paramLabel = "K", description = "Steps per worker between averagings (default: ${DEFAULT-VALUE}).")
    int localSteps;
    @Option(names = "--rounds", defaultValue = "30", paramLabel = "R", description = "Rounds to reach (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Run seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--checkpoint-every", defaultValue = "10", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int checkpointEvery;
    @Option(names = "--sample-every", defaultValue = "10", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int sampleEvery;
    @Option(names = "--resume", description = "Continue from the latest complete checkpoint.")
    boolean resume;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        EngineConfig engine = new EngineConfig(workers, localSteps, rounds, seed, sampleEvery, 4, checkpointEvery,
                EngineConfig.DEFAULT_KEEP_CHECKPOINTS);
        FastStyleTraining.Settings s = new FastStyleTraining.Settings(style, data, out, extractor, modelDir,
                new TransformerNet.Config(channels, residualBlocks), crop, batch, styleSize, contentWeight, styleWeight,
                tvWeight, lr, engine, resume);
        SparkSession session = SparkSessions.create("train-style", spark.master);
        System.out.printf("train-style: %s on %s, %d workers x %d local steps, %d rounds, %d crops of %d px, %d parameters%n",
                style, data, workers, localSteps, rounds, batch, crop,
                TransformerNet.parameterCount(new TransformerNet.Config(channels, residualBlocks)));
        TrainingResult result = FastStyleTraining.run(session, s, p -> System.out.println(p.describe()));
        System.out.println("run directory: " + result.runDir() + "   model: " + result.runDir() + "/model   report: "
                + result.report());
        return 0;
    }
}
