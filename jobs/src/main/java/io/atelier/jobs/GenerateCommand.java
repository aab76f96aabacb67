package io.atelier.jobs;

import io.atelier.common.data.Manifest;
import io.atelier.common.families.Families;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.generate.GenerateSettings;
import io.atelier.common.generate.GenerationJob;
import io.atelier.common.generate.GenerationOptions;
import io.atelier.common.io.OutputLease;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code atelier generate}: a dataset sampled from a trained model, as a Spark job. Its flags are
 * generated from {@link GenerateSettings} ({@link SettingsOptions}).
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate a dataset from a trained run. Sample i's noise derives from (seed, i) only,",
                "so the output is identical whatever the partitioning and on re-run.",
                "Settings come from defaults, then --config FILE (JSON, the names in camelCase), then flags."})
final class GenerateCommand implements Callable<Integer>, SettingsOptions.Command<GenerateSettings> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<GenerateSettings> settingsType() {
        return GenerateSettings.class;
    }

    @Override
    public GenerateSettings defaults() {
        return GenerateSettings.DEFAULTS;
    }

    @Override
    public Integer call() {
        GenerateSettings s = SettingsOptions.resolve(spec, GenerateSettings.class, GenerateSettings.DEFAULTS, config);
        GenerationOptions options = s.generation();
        SparkSession session = SparkSessions.create("generate", spark.master);
        long count = options.count();
        Manifest m;
        GeneratorSource run;
        GenerationJob job = new GenerationJob(session);
        try (OutputLease held = lease.take(session, "generate", options.output())) {
            run = Families.openRun(s.model(), session.sparkContext().hadoopConfiguration(), s.sampling());
            try (JobProgress progress = JobProgress.of("generate", "img")) {
                m = job.run(run, options, (done, total) -> progress.update(done, total, ""));
            }
        }
        System.out.printf("generated %d images (%dx%d, %d channel%s) from %s into %s; devices: %s%n",
                m.counts().rows(), m.height(), m.width(), m.channels(), m.channels() == 1 ? "" : "s", run.name(), options.output(),
                String.join("; ", job.devices()));
        if (options.pngDir() != null) {
            System.out.println("PNG files: " + options.pngDir());
        }
        return 0;
    }
}
