package io.atelier.jobs;

import io.atelier.common.families.dcgan.DcganSettings;
import io.atelier.common.families.Families;
import io.atelier.common.families.FamilyTraining;
import io.atelier.common.families.SampledEvaluation;
import io.atelier.common.io.Configs;
import io.atelier.common.train.TrainingResult;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code atelier train-gan}: a GAN trained by parameter averaging across Spark workers. */
@Command(name = "train-gan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a GAN on a dataset with parameter averaging across Spark workers.",
                "Settings come from defaults, then --config FILE (JSON, same names as the flags in camelCase),",
                "then flags. The run directory gets config.json, checkpoints/, metrics.jsonl, samples/ and report.html."})
final class TrainGanCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DATASET", description = "Dataset directory (its train split is used).")
    String data;
    @Option(names = "--out", paramLabel = "RUN", description = "Run directory to create (or continue with --resume).")
    String out;
    @Option(names = "--model", paramLabel = "NAME", description = "Model family (default: dcgan).")
    String model;
    @Option(names = "--workers", paramLabel = "W", description = "Workers, one Spark task each (default: 2).")
    Integer workers;
    @Option(names = "--local-steps", paramLabel = "K", description = "Steps per worker between averagings (default: 10).")
    Integer localSteps;
    @Option(names = "--rounds", paramLabel = "R", description = "Rounds to reach (default: 30).")
    Integer rounds;
    @Option(names = "--batch", paramLabel = "B", description = "Images per step and worker (default: 64).")
    Integer batch;
    @Option(names = "--seed", paramLabel = "S", description = "Run seed (default: 42).")
    Long seed;
    @Option(names = "--resume", description = "Continue from the latest complete checkpoint.")
    Boolean resume;
    @Option(names = "--conditional", description = "Class-conditional model (needs a labelled dataset).")
    Boolean conditional;
    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Checkpoint every N rounds (default: 10).")
    Integer checkpointEvery;
    @Option(names = "--keep-checkpoints", paramLabel = "N", description = "Newest checkpoints kept, 0 = all (default: 3).")
    Integer keepCheckpoints;
    @Option(names = "--sample-every", paramLabel = "N", description = "Sample grid every N rounds (default: 5).")
    Integer sampleEvery;
    @Option(names = "--sample-count", paramLabel = "N", description = "Images per sample grid (default: 64).")
    Integer sampleCount;
    @Option(names = "--lr", paramLabel = "LR", description = "Adam learning rate (default: 1e-3).")
    Double lr;
    @Option(names = "--ema-decay", paramLabel = "D", description = "Generator moving-average decay (default: 0.999).")
    Double emaDecay;
    @Option(names = "--latent-dim", paramLabel = "N", description = "Noise vector size (default: 100).")
    Integer latentDim;
    @Option(names = "--generator-width", paramLabel = "N", description = "Generator width (default: 64).")
    Integer generatorWidth;
    @Option(names = "--discriminator-width", paramLabel = "N", description = "Discriminator width (default: 64).")
    Integer discriminatorWidth;
    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    TrainingEvaluationOptions evaluation;

    @Mixin
    SparkOptions spark;

    DcganSettings settings() {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("data", data);
        flags.put("out", out);
        flags.put("model", model);
        flags.put("workers", workers);
        flags.put("localSteps", localSteps);
        flags.put("rounds", rounds);
        flags.put("batch", batch);
        flags.put("seed", seed);
        flags.put("resume", resume);
        flags.put("conditional", conditional);
        flags.put("checkpointEvery", checkpointEvery);
        flags.put("keepCheckpoints", keepCheckpoints);
        flags.put("sampleEvery", sampleEvery);
        flags.put("sampleCount", sampleCount);
        flags.put("lr", lr);
        flags.put("emaDecay", emaDecay);
        flags.put("latentDim", latentDim);
        flags.put("generatorWidth", generatorWidth);
        flags.put("discriminatorWidth", discriminatorWidth);
        DcganSettings resolved = Configs.resolve(DcganSettings.class, DcganSettings.DEFAULTS, config, flags);
        resolved.requirePaths();
        return resolved;
    }

    @Override
    public Integer call() {
        DcganSettings s = settings();
        SparkSession session = SparkSessions.create("train-gan", spark.master);
        TrainingResult result = run(session, s, evaluation.evaluation(session, s.data()));
        return result.roundsTrained() >= 0 ? 0 : 1;
    }

    static TrainingResult run(SparkSession session, DcganSettings s) {
        return run(session, s, null);
    }

    /** @param evaluation FID between rounds, or null */
    static TrainingResult run(SparkSession session, DcganSettings s, SampledEvaluation evaluation) {
        System.out.printf("train-gan: %s on %s, %d workers x %d local steps, %d rounds, batch %d, seed %d%n",
                s.model(), s.data(), s.workers(), s.localSteps(), s.rounds(), s.batch(), s.seed());
        TrainingResult result = FamilyTraining.run(session, Families.get(s.model()), s, p -> System.out.println(p.describe()), evaluation);
        System.out.println("run directory: " + result.runDir() + "   report: " + result.report());
        return result;
    }
}
