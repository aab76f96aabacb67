package io.atelier.jobs;

import io.atelier.common.translate.TranslateJob;
import io.atelier.common.translate.TranslateSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code atelier translate}: a CycleGAN run over a catalog, the stylize map stage with the
 * translation as its style. Its flags are generated from {@link TranslateSettings}.
 */
@Command(name = "translate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Translate every image of a catalog with a CycleGAN run's generator, once: a re-run skips what",
                "is done, a killed run resumes, and new images are the next run's only work.",
                "Each picture is resized whole (stretched, aspect ratio not kept) to the model's size x size, made",
                "grey for a one-channel model, translated, and stored at the model's size.",
                "Output: stylize's Parquet rows (id, origin, path, style, method, params, image) in OUT, where",
                "style holds the direction (a2b/b2a), method is cyclegan and params hashes (checkpoint, direction,",
                "size, channels); OUT/_params/HASH.json and OUT/_translate.json name the run, round and domains.",
                "Settings come from defaults, then --config FILE (JSON, the names in camelCase), then flags."})
final class TranslateCommand implements Callable<Integer>, SettingsOptions.Command<TranslateSettings> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<TranslateSettings> settingsType() {
        return TranslateSettings.class;
    }

    @Override
    public TranslateSettings defaults() {
        return TranslateSettings.DEFAULTS;
    }

    @Override
    public Integer call() {
        TranslateSettings settings = SettingsOptions.resolve(spec, TranslateSettings.class, TranslateSettings.DEFAULTS,
                config);
        return CatalogStageRun.run(TranslateJob.JOB, "translated", spark, lease, settings.out(),
                (session, progress) -> new TranslateJob(session).run(settings, progress));
    }
}
