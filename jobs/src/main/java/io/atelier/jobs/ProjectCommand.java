package io.atelier.jobs;

import io.atelier.common.project.ProjectJob;
import io.atelier.common.project.ProjectSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code atelier project}: StyleGAN inversion of a catalog, the stylize map stage with the
 * projection as its style. Its flags are generated from {@link ProjectSettings}.
 */
@Command(name = "project", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Project every image of a catalog into a StyleGAN run's latent space, once: a re-run skips what",
                "is done, a killed run resumes, and new images are the next run's only work. Per image, Adam",
                "optimises w (or W+, one w per style layer) and the noise maps from the mean w, on pixel MSE plus",
                "a feature loss (--extractor, --feature-layer, --feature-weight) and NVlabs' noise penalty.",
                "Each picture is resized whole (stretched) to the model's size x size, made grey for a",
                "one-channel model; resizedFrom records its own size.",
                "Output: Parquet rows in OUT: id, origin, path, style (w|w+), method, params, image (the",
                "reconstruction), latent, space, l1, mse, featureDistance, mseAtStart, steps, modelSha256,",
                "resizedFrom; OUT/_params/HASH.json and OUT/_project.json name the run and round.",
                "Settings come from defaults, then --config FILE (JSON, the names in camelCase), then flags."})
final class ProjectCommand implements Callable<Integer>, SettingsOptions.Command<ProjectSettings> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<ProjectSettings> settingsType() {
        return ProjectSettings.class;
    }

    @Override
    public ProjectSettings defaults() {
        return ProjectSettings.DEFAULTS;
    }

    @Override
    public Integer call() {
        ProjectSettings settings = SettingsOptions.resolve(spec, ProjectSettings.class, ProjectSettings.DEFAULTS,
                config);
        return CatalogStageRun.run(ProjectJob.JOB, "projected", spark, lease, settings.out(),
                (session, progress) -> new ProjectJob(session).run(settings, progress));
    }
}
