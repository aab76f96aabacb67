package io.atelier.jobs;

import io.atelier.common.families.Families;
import io.atelier.common.families.ModelFamily;
import io.atelier.common.families.SampledEvaluation;
import io.atelier.common.families.TrainingSettings;
import io.atelier.common.families.cyclegan.CycleGanSettings;
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
 * {@code atelier train-gan --model NAME}: a GAN family trained by parameter averaging across Spark
 * workers. Its flags are generated from the chosen family's settings record
 * ({@link SettingsOptions}), so {@code --model} is read before the rest of the line is parsed
 * ({@link #forArguments}).
 */
@Command(name = "train-gan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a GAN on a dataset with parameter averaging across Spark workers.",
                "--model dcgan (default), cyclegan or stylegan; each has its own flags: train-gan --model NAME --help.",
                "Settings come from defaults, then --config FILE (JSON, same names as the flags in camelCase),",
                "then flags. The run directory gets config.json, checkpoints/, metrics.jsonl, samples/ and report.html."})
final class TrainGanCommand implements Callable<Integer>, SettingsOptions.Command<Record> {
    /** The families this command trains, the first being the default. */
    static final List<String> MODELS = List.of("dcgan", "cyclegan", "stylegan");

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    private final ModelFamily family;

    TrainGanCommand() {
        this(MODELS.get(0));
    }

    private TrainGanCommand(String model) {
        if (!MODELS.contains(model)) {
            throw new IllegalArgumentException("--model " + model + ": train-gan trains " + String.join(", ", MODELS)
                            + (Families.all().containsKey(model) ? "; " + model + " has its own command" : ""));
        }
        this.family = Families.get(model);
    }

    /** The command for a command line: the family named by its {@code --model} (the default when none). */
    static TrainGanCommand forArguments(String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--model") && i + 1 < args.length) {
                return new TrainGanCommand(args[i + 1]);
            }
            if (args[i].startsWith("--model=")) {
                return new TrainGanCommand(args[i].substring("--model=".length()));
            }
        }
        return new TrainGanCommand();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Class<Record> settingsType() {
        return (Class<Record>) (Class<?>) family.defaults().getClass();
    }

    @Override
    public Record defaults() {
        return (Record) family.defaults();
    }

    @Override
    public List<Record> sections() {
        return List.of(TrainingEvaluation.DEFAULTS);
    }

    @Override
    public Integer call() {
        TrainingSettings s = (TrainingSettings) SettingsOptions.resolve(spec, this, config);
        TrainingEvaluation evaluation = SettingsOptions.resolveSection(spec, this, TrainingEvaluation.DEFAULTS, config);
        s.requirePaths();
        SparkSession session = SparkSessions.create("train-gan", spark.master);
        System.out.printf("train-gan: %s on %s, %d workers x %d local steps, %d rounds, batch %d, seed %d%n",
                family.id(), String.join(" + ", s.inputs()), s.workers(), s.localSteps(), s.rounds(), s.batch(), s.seed());
        SampledEvaluation scores = s instanceof CycleGanSettings c
                ? evaluation.translationEvaluation(session, c.data(), c.dataA(), c.dataB(), System.out::println)
                : evaluation.evaluation(session, s.data(), System.out::println);
        JobSteps.train(session, "train-gan", family, s, scores, lease.waitTime());
        return 0;
    }
}
