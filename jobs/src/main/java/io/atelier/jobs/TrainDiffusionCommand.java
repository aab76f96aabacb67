package io.atelier.jobs;

import io.atelier.common.families.diffusion.DiffusionSettings;
import io.atelier.common.families.Families;
import io.atelier.common.families.FamilyTraining;
import io.atelier.common.families.diffusion.DiffusionFamily;
import io.atelier.common.io.Configs;
import io.atelier.common.train.TrainingResult;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code atelier train-diffusion}: a diffusion model trained by parameter averaging across Spark workers. */
@Command(name = "train-diffusion", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a diffusion model (noise-prediction U-Net) with parameter averaging across Spark workers.",
                "Settings come from defaults, then --config FILE (JSON, same names as the flags in camelCase),",
                "then flags. The run directory gets config.json, checkpoints/, metrics.jsonl, samples/ and report.html."})
final class TrainDiffusionCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DATASET", description = "Dataset directory (its train split is used).")
    String data;
    @Option(names = "--out", paramLabel = "RUN", description = "Run directory to create (or continue with --resume).")
    String out;
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
    @Option(names = "--conditional", description = "Learn each image's caption (its label name) as a condition; enables --label and --prompt.")
    Boolean conditional;
    @Option(names = "--cond-drop", paramLabel = "P", description = "Probability of dropping the condition in training (default: 0.1).")
    Double condDrop;
    @Option(names = "--schedule", paramLabel = "linear|cosine", description = "Noise schedule (default: linear).")
    String schedule;
    @Option(names = "--timesteps", paramLabel = "T", description = "Diffusion steps (default: 1000).")
    Integer timesteps;
    @Option(names = "--prediction", paramLabel = "eps|v", description = "What the network predicts (default: eps).")
    String prediction;
    @Option(names = "--base", paramLabel = "C", description = "U-Net channels at full resolution (default: 32).")
    Integer base;
    @Option(names = "--attention", negatable = true, description = "Self-attention at the lowest resolution (default: on).")
    Boolean attention;
    @Option(names = "--lr", paramLabel = "LR", description = "Adam learning rate after warm-up (default: 5e-4).")
    Double lr;
    @Option(names = "--warmup", paramLabel = "N", description = "Learning-rate warm-up steps (default: 200).")
    Integer warmup;
    @Option(names = "--grad-clip", paramLabel = "N", description = "Global gradient-norm cap, 0 for none (default: 1.0).")
    Double gradClip;
    @Option(names = "--ema-decay", paramLabel = "D", description = "Weights' moving-average decay (default: 0.999).")
    Double emaDecay;
    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Checkpoint every N rounds (default: 10).")
    Integer checkpointEvery;
    @Option(names = "--keep-checkpoints", paramLabel = "N", description = "Newest checkpoints kept, 0 = all (default: 3).")
    Integer keepCheckpoints;
    @Option(names = "--sample-every", paramLabel = "N", description = "Sample grid every N rounds (default: 5).")
    Integer sampleEvery;
    @Option(names = "--sample-count", paramLabel = "N", description = "Images per sample grid (default: 64).")
    Integer sampleCount;
    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    TrainingEvaluationOptions evaluation;

    @Mixin
    SparkOptions spark;

    DiffusionSettings settings() {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("data", data);
        flags.put("out", out);
        flags.put("workers", workers);
        flags.put("localSteps", localSteps);
        flags.put("rounds", rounds);
        flags.put("batch", batch);
        flags.put("seed", seed);
        flags.put("resume", resume);
        flags.put("conditional", conditional);
        flags.put("condDrop", condDrop);
        flags.put("schedule", schedule);
        flags.put("timesteps", timesteps);
        flags.put("prediction", prediction);
        flags.put("base", base);
        flags.put("attention", attention);
        flags.put("lr", lr);
        flags.put("warmup", warmup);
        flags.put("gradClip", gradClip);
        flags.put("emaDecay", emaDecay);
        flags.put("checkpointEvery", checkpointEvery);
        flags.put("keepCheckpoints", keepCheckpoints);
        flags.put("sampleEvery", sampleEvery);
        flags.put("sampleCount", sampleCount);
        DiffusionSettings resolved = Configs.resolve(DiffusionSettings.class, DiffusionSettings.DEFAULTS, config, flags);
        resolved.requirePaths();
        return resolved;
    }

    @Override
    public Integer call() {
        DiffusionSettings s = settings();
        SparkSession session = SparkSessions.create("train-diffusion", spark.master);
        System.out.printf("train-diffusion: %s on %s, %s schedule, T=%d, %d workers x %d local steps, %d rounds, batch %d, seed %d%n",
                s.conditional() ? "conditional U-Net" : "U-Net", s.data(), s.schedule(), s.timesteps(), s.workers(),
                s.localSteps(), s.rounds(), s.batch(), s.seed());
        TrainingResult result = FamilyTraining.run(session, Families.get(DiffusionFamily.ID), s, p -> System.out.println(p.describe()),
                evaluation.evaluation(session, s.data()));
        System.out.println("run directory: " + result.runDir() + "   report: " + result.report());
        return 0;
    }
}
