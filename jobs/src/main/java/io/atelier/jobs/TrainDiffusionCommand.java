package io.atelier.jobs;

import io.atelier.common.families.Families;
import io.atelier.common.families.diffusion.DiffusionFamily;
import io.atelier.common.families.diffusion.DiffusionSettings;
import io.atelier.common.scoring.TrainingEvaluation;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code atelier train-diffusion}: a diffusion model trained by parameter averaging across Spark
 * workers. Its flags are generated from {@link DiffusionSettings} ({@link SettingsOptions}).
 */
@Command(name = "train-diffusion", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a diffusion model (noise-prediction U-Net) with parameter averaging across Spark workers.",
                "Settings come from defaults, then --config FILE (JSON, same names as the flags in camelCase),",
                "then flags. The run directory gets config.json, checkpoints/, metrics.jsonl, samples/ and report.html."})
final class TrainDiffusionCommand implements Callable<Integer>, SettingsOptions.Command<DiffusionSettings> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<DiffusionSettings> settingsType() {
        return DiffusionSettings.class;
    }

    @Override
    public DiffusionSettings defaults() {
        return DiffusionSettings.DEFAULTS;
    }

    @Override
    public List<Record> sections() {
        return List.of(TrainingEvaluation.DEFAULTS);
    }

    @Override
    public Integer call() {
        DiffusionSettings s = SettingsOptions.resolve(spec, this, config);
        TrainingEvaluation evaluation = SettingsOptions.resolveSection(spec, this, TrainingEvaluation.DEFAULTS, config);
        s.requirePaths();
        SparkSession session = SparkSessions.create("train-diffusion", spark.master);
        System.out.printf("train-diffusion: %s on %s, %s schedule, T=%d, %d workers x %d local steps, %d rounds, batch %d, seed %d%n",
                s.conditional() ? "conditional U-Net" : "U-Net", s.data(), s.schedule(), s.timesteps(), s.workers(),
                s.localSteps(), s.rounds(), s.batch(), s.seed());
        JobSteps.train(session, "train-diffusion", Families.get(DiffusionFamily.ID), s,
                evaluation.evaluation(session, s.data(), System.out::println), lease.waitTime());
        return 0;
    }
}
