package io.atelier.jobs;

import io.atelier.common.catalog.Quarantine;
import io.atelier.common.embed.EmbedJob;
import io.atelier.common.embed.EmbedOptions;
import io.atelier.common.embed.EmbedSettings;
import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.io.OutputLease;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * {@code atelier embed}: feature vectors of images from a feature network, as Parquet (and JSON
 * lines). Its flags are generated from {@link EmbedSettings} ({@link SettingsOptions}).
 */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write one feature vector per image and layer: the global average of the layer's map",
                "(the model's output for its last layer), with the image's id and origin.",
                "Output: Parquet rows (id, origin, layer, vector, error, size), OUT/_quarantine (origin, reason, size)",
                "of the rejected images, and OUT/_embedding.json.",
                "Settings come from defaults, then --config FILE (JSON, the names in camelCase), then flags."})
final class EmbedCommand implements Callable<Integer>, SettingsOptions.Command<EmbedSettings> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<EmbedSettings> settingsType() {
        return EmbedSettings.class;
    }

    @Override
    public EmbedSettings defaults() {
        return EmbedSettings.DEFAULTS;
    }

    @Override
    public Integer call() {
        EmbedSettings settings = SettingsOptions.resolve(spec, EmbedSettings.class, EmbedSettings.DEFAULTS, config);
        EmbedOptions options = settings.options();
        SparkSession session = SparkSessions.create("embed", spark.master);
        boolean json = settings.json();
        String out = options.output();
        EmbedJob.Summary s;
        try (OutputLease held = lease.take(session, "embed", out)) {
            ExtractorSpec extractor = settings.extractor(session.sparkContext().hadoopConfiguration());
            s = new EmbedJob(session).run(extractor, options, json ? System.out::println : null);
        }
        PrintStream report = json ? System.err : System.out;
        report.printf("embed: %s; %d vectors (%s) in %s; devices: %s%n", Quarantine.reconcile(s.in(), "embedded", s.embedded(),
                "rejected", s.rejected()), s.vectors(), String.join(", ", s.layers()), out, String.join("; ", s.devices()));
        s.rejections().forEach(r -> report.println("embed: rejected " + r));
        if (s.rejected() > s.rejections().size()) {
            report.printf("embed: %d more rejected, each with its reason in %s/%s%n", s.rejected() - s.rejections().size(),
                    out, Quarantine.DIRECTORY);
        }
        return s.embedded() > 0 ? 0 : 1;
    }
}
