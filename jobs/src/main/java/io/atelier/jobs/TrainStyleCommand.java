package io.atelier.jobs;

import io.atelier.common.style.FastStyleTraining;
import io.atelier.common.style.TransformerNet;
import io.atelier.common.train.TrainingResult;
import io.atelier.common.io.OutputLease;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code atelier train-style}: a fast style network for one style image, on the averaging engine.
 * Its flags are generated from {@link FastStyleTraining.Settings} ({@link SettingsOptions}).
 */
@Command(name = "train-style", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a feed-forward style network (Johnson et al.) for one style image on a dataset's photos,",
                "with the Gatys perceptual losses through a feature network, by parameter averaging across workers.",
                "The run directory gets config.json, checkpoints/, metrics.jsonl, samples/, report.html and model/,",
                "which atelier stylize --method fast --model RUN reads.",
                "Settings come from defaults, then --config FILE (JSON, the names in camelCase), then flags."})
final class TrainStyleCommand implements Callable<Integer>, SettingsOptions.Command<FastStyleTraining.Settings> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<FastStyleTraining.Settings> settingsType() {
        return FastStyleTraining.Settings.class;
    }

    @Override
    public FastStyleTraining.Settings defaults() {
        return FastStyleTraining.Settings.DEFAULTS;
    }

    @Override
    public Integer call() {
        FastStyleTraining.Settings s = SettingsOptions.resolve(spec, FastStyleTraining.Settings.class,
                FastStyleTraining.Settings.DEFAULTS, config);
        s.requirePaths();
        SparkSession session = SparkSessions.create("train-style", spark.master);
        System.out.printf("train-style: %s on %s, %d workers x %d local steps, %d rounds, %d crops of %d px, %d parameters%n",
                s.style(), s.data(), s.workers(), s.localSteps(), s.rounds(), s.batch(), s.crop(),
                TransformerNet.parameterCount(s.net()));
        TrainingResult result;
        try (OutputLease held = lease.take(session, "train-style", s.out())) {
            result = FastStyleTraining.run(session, s, p -> System.out.println(p.describe()));
        }
        System.out.println("run directory: " + result.runDir() + "   model: " + result.runDir() + "/model   report: "
                + result.report());
        return 0;
    }
}
