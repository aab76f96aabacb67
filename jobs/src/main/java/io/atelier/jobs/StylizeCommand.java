package io.atelier.jobs;

import io.atelier.common.catalog.Quarantine;
import io.atelier.common.stylize.StylizeGrid;
import io.atelier.common.stylize.StylizeJob;
import io.atelier.common.stylize.StylizeOptions;
import io.atelier.common.stylize.StylizeSettings;
import io.atelier.common.io.OutputLease;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code atelier stylize}: the catalog map stage, idempotent and resumable. Its flags are
 * generated from {@link StylizeSettings} ({@link SettingsOptions}).
 */
@Command(name = "stylize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Stylize every image of a catalog with every style, once: a re-run with the same styles and",
                "parameters skips what is done, a killed run resumes, and new images are the next run's only work.",
                "Output: Parquet rows (id, origin, path, style, method, params, image) in OUT, its _quarantine",
                "table and _stylize.json; optionally PNG files mirroring the input's relative paths.",
                "Settings come from defaults, then --config FILE (JSON, the names in camelCase), then flags."})
final class StylizeCommand implements Callable<Integer>, SettingsOptions.Command<StylizeSettings> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<StylizeSettings> settingsType() {
        return StylizeSettings.class;
    }

    @Override
    public StylizeSettings defaults() {
        return StylizeSettings.DEFAULTS;
    }

    @Override
    public Integer call() {
        StylizeSettings settings = SettingsOptions.resolve(spec, StylizeSettings.class, StylizeSettings.DEFAULTS, config);
        StylizeOptions options = settings.options();
        String out = options.output();
        SparkSession session = SparkSessions.create("stylize", spark.master);
        try (OutputLease held = lease.take(session, "stylize", out)) {
            StylizeJob.Summary s;
            try (JobProgress progress = JobProgress.of("stylize", "pairs")) {
                s = new StylizeJob(session).run(options, (done, planned, rate, eta) -> progress.update(done, planned, ""));
            }
            String unit = s.styles() > 1 ? " (image x style pairs: " + s.images() + " images x " + s.styles() + " styles)" : "";
            System.out.printf("stylize: %s%s in %.1f s -> %s%s%n", Quarantine.reconcile(s.in(), "stylized", s.stylized(),
                    "skipped", s.skipped(), "quarantined", s.quarantined()), unit, s.seconds(), out,
                    s.devices().isEmpty() ? "" : "; devices: " + String.join("; ", s.devices()));
            if (settings.grid() != null) {
                StylizeGrid.write(session, out, settings.grid(), settings.gridInputs());
                System.out.println("stylize: before/after sheet " + settings.grid());
            }
        }
        return 0;
    }

    static String format(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
