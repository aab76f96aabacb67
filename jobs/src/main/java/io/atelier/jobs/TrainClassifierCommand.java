package io.atelier.jobs;

import io.atelier.common.classify.ClassifierOptions;
import io.atelier.common.classify.ClassifierTrainer;
import io.atelier.common.io.OutputLease;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code atelier train-classifier}: the CNN that also serves as feature network for {@code evaluate}.
 * Its flags are generated from {@link ClassifierOptions} ({@link SettingsOptions}).
 */
@Command(name = "train-classifier", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a small CNN classifier on a dataset's train split with dl4j-spark parameter "
                + "averaging; report test-split accuracy; save it (with provenance) for use as `evaluate --features`.",
                "Settings come from defaults, then --config FILE (JSON, the names in camelCase), then flags."})
final class TrainClassifierCommand implements Callable<Integer>, SettingsOptions.Command<ClassifierOptions> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<ClassifierOptions> settingsType() {
        return ClassifierOptions.class;
    }

    @Override
    public ClassifierOptions defaults() {
        return ClassifierOptions.DEFAULTS;
    }

    @Override
    public Integer call() {
        ClassifierOptions options = SettingsOptions.resolve(spec, ClassifierOptions.class, ClassifierOptions.DEFAULTS, config);
        options.requirePaths();
        SparkSession session = SparkSessions.create("train-classifier", spark.master);
        if (options.testData() != null) {
            System.out.printf("scoring on the test split of %s%n", options.testData());
        }
        // The arguments exactly as given (from the command's name on), for the model's provenance.
        ClassifierTrainer.Result r;
        try (OutputLease held = lease.take(session, "train-classifier", options.out())) {
            r = new ClassifierTrainer(session).train(options,
                    (done, total, seconds, accuracy) -> System.out.printf(
                            "epoch %d/%d  learning rate %.2e  %.1f s  test accuracy %.4f%n", done, total,
                            options.learningRate(done), seconds, accuracy),
                    spec.commandLine().getParseResult().originalArgs());
        }
        System.out.printf("test accuracy %.4f on %d images (trained on %s: %d images, %.1f s)%n", r.testAccuracy(),
                r.testCount(), r.trainedOn(), r.trainCount(), r.seconds());
        System.out.printf("model %s  sha256 %s%n", r.path(), r.sha256());
        return 0;
    }
}
