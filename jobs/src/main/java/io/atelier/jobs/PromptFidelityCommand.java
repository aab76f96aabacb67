package io.atelier.jobs;

import io.atelier.common.io.OutputLease;
import io.atelier.common.scoring.PromptFidelity;
import io.atelier.common.scoring.PromptFidelitySettings;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code atelier prompt-fidelity}: whether a text-to-image run follows its prompts (category
 * accuracy by a classifier, colour binding against real images), per guidance value. Its flags are
 * generated from {@link PromptFidelitySettings} ({@link SettingsOptions}); the work is {@link PromptFidelity}'s.
 */
@Command(name = "prompt-fidelity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure whether a conditional diffusion run follows its prompts: for each guidance value,",
                "the share of a category prompt's samples a classifier puts in its category, and the share of an",
                "attribute prompt's samples whose mean colour is nearest its own real images' among its group's.",
                "Settings come from defaults, then --config FILE (JSON, the names in camelCase), then flags."})
final class PromptFidelityCommand implements Callable<Integer>, SettingsOptions.Command<PromptFidelitySettings> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<PromptFidelitySettings> settingsType() {
        return PromptFidelitySettings.class;
    }

    @Override
    public PromptFidelitySettings defaults() {
        return PromptFidelitySettings.DEFAULTS;
    }

    @Override
    public Integer call() {
        PromptFidelitySettings s = SettingsOptions.resolve(spec, PromptFidelitySettings.class,
                PromptFidelitySettings.DEFAULTS, config);
        s.requireGiven();
        SparkSession session = SparkSessions.create("prompt-fidelity", spark.master);
        PromptFidelity.Report report;
        try (OutputLease held = lease.take(session, "prompt-fidelity", s.out())) {
            report = new PromptFidelity(session).run(s, line -> System.err.println(SettingsOptions.flags(line)));
        }
        for (PromptFidelity.AtGuidance g : report.results()) {
            System.out.printf(Locale.ROOT, "guidance %-5s category accuracy %s%n", g.guidance(),
                    g.categoryAccuracy() == null ? "not scored" : String.format(Locale.ROOT, "%.3f", g.categoryAccuracy()));
            for (PromptFidelity.CategoryScore c : g.categories()) {
                System.out.printf(Locale.ROOT, "  %-28s %-20s %.2f%n", c.prompt(), c.category(), c.share());
            }
            for (PromptFidelity.GroupBinding b : g.binding()) {
                System.out.printf(Locale.ROOT, "  binding %-20s %.3f (chance %.3f)%n", b.group(), b.share(), b.chance());
                for (PromptFidelity.PromptBinding p : b.prompts()) {
                    System.out.printf(Locale.ROOT, "    %-32s %.2f%s%n", p.prompt(), p.share(),
                            p.blank() > 0 ? "  (" + p.blank() + " blank)" : "");
                }
            }
        }
        System.out.println("report: " + s.out());
        return 0;
    }
}
