package io.atelier.jobs;

import io.atelier.common.eval.EvaluationReport;
import io.atelier.common.eval.Scores;
import io.atelier.common.scoring.EvaluateJob;
import io.atelier.common.scoring.EvaluateSettings;
import io.atelier.common.scoring.FeatureChoice;
import io.atelier.common.io.OutputLease;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code atelier evaluate}: FID, KID, precision/recall of a dataset against real data, beside the
 * floor, or a CycleGAN run's translation scores. Its flags are generated from
 * {@link EvaluateSettings} ({@link SettingsOptions}); the work is {@link EvaluateJob}'s.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score a dataset (e.g. a generated one) against real data: FID, KID, precision/recall, "
                + "and the floor (the same metrics between two disjoint real samples).",
                "A CycleGAN run as --fake is scored as a translation: target-domain share by a classifier, cycle L1, "
                        + "and FID against the target domain beside the untranslated images'.",
                "Settings come from defaults, then --config FILE (JSON, the names in camelCase), then flags."})
final class EvaluateCommand implements Callable<Integer>, SettingsOptions.Command<EvaluateSettings> {
    static final String DEFAULT_FEATURES = FeatureChoice.DEFAULT;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<EvaluateSettings> settingsType() {
        return EvaluateSettings.class;
    }

    @Override
    public EvaluateSettings defaults() {
        return EvaluateSettings.DEFAULTS;
    }

    @Override
    public Integer call() {
        EvaluateSettings s = SettingsOptions.resolve(spec, EvaluateSettings.class, EvaluateSettings.DEFAULTS, config);
        s.requireGiven();
        SparkSession session = SparkSessions.create("evaluate", spark.master);
        EvaluateJob.Result result;
        try (OutputLease held = lease.take(session, "evaluate", s.out())) {
            result = new EvaluateJob(session).run(s, System.out::println);
        }
        if (result.translation() != null) {
            result.translation().lines().forEach(System.out::println);
            System.out.println("report: " + s.out());
            return 0;
        }
        EvaluationReport report = result.report();
        if (result.fakeClassAccuracy() != null) {
            System.out.printf("fake images classified as their label: %.4f%n", result.fakeClassAccuracy());
        }
        print("score", report.scores());
        print("floor", report.floor());
        System.out.printf("FID / floor  %.2f%n", report.fidOverFloor());
        @SuppressWarnings("unchecked")
        List<String> devices = (List<String>) report.definition().getOrDefault("devices", List.of());
        System.out.println("features computed on: " + String.join("; ", devices));
        System.out.println("report: " + s.out());
        return 0;
    }

    private static void print(String what, Scores s) {
        System.out.printf("%-6s FID %.4f  KID %.5f ± %.5f  precision %.3f  recall %.3f  (n %d)%n", what, s.fid(),
                s.kidMean(), s.kidStd(), s.precision(), s.recall(), s.realCount());
    }
}
