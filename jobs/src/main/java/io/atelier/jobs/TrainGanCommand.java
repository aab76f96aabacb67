package io.atelier.jobs;

import io.atelier.common.families.Families;
import io.atelier.common.families.dcgan.DcganSettings;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code atelier train-gan}: a GAN trained by parameter averaging across Spark workers. Its flags
 * are generated from {@link DcganSettings} ({@link SettingsOptions}).
 */
@Command(name = "train-gan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a GAN on a dataset with parameter averaging across Spark workers.",
                "Settings come from defaults, then --config FILE (JSON, same names as the flags in camelCase),",
                "then flags. The run directory gets config.json, checkpoints/, metrics.jsonl, samples/ and report.html."})
final class TrainGanCommand implements Callable<Integer>, SettingsOptions.Command<DcganSettings> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    TrainingEvaluationOptions evaluation;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<DcganSettings> settingsType() {
        return DcganSettings.class;
    }

    @Override
    public DcganSettings defaults() {
        return DcganSettings.DEFAULTS;
    }

    @Override
    public Integer call() {
        DcganSettings s = SettingsOptions.resolve(spec, DcganSettings.class, DcganSettings.DEFAULTS, config);
        s.requirePaths();
        SparkSession session = SparkSessions.create("train-gan", spark.master);
        System.out.printf("train-gan: %s on %s, %d workers x %d local steps, %d rounds, batch %d, seed %d%n",
                s.model(), s.data(), s.workers(), s.localSteps(), s.rounds(), s.batch(), s.seed());
        JobSteps.train(session, "train-gan", Families.get(s.model()), s, evaluation.evaluation(session, s.data()),
                lease.waitTime());
        return 0;
    }
}
