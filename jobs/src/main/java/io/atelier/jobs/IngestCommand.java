package io.atelier.jobs;

import io.atelier.common.data.ingest.Ingest;
import io.atelier.common.data.ingest.IngestOptions;
import io.atelier.common.data.ingest.IngestSettings;
import io.atelier.common.data.ingest.IngestSummary;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code atelier ingest}: image collections -> a sharded Parquet dataset with a manifest. Its flags
 * are generated from {@link IngestSettings} ({@link SettingsOptions}).
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Decode, fit, de-duplicate, split and shard images into a dataset directory.",
                "Inputs: image folders (label = first sub-folder), zip/tar/tar.gz archives, IDX files,",
                "Parquet with Spark's image struct, or an existing dataset. Bad files go to DIR/_quarantine.",
                "Settings come from defaults, then --config FILE (JSON, the names in camelCase), then flags."})
final class IngestCommand implements Callable<Integer>, SettingsOptions.Command<IngestSettings> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Mixin
    LeaseOptions lease;

    @Override
    public Class<IngestSettings> settingsType() {
        return IngestSettings.class;
    }

    @Override
    public IngestSettings defaults() {
        return IngestSettings.DEFAULTS;
    }

    @Override
    public Integer call() {
        IngestOptions options = SettingsOptions.resolve(spec, IngestSettings.class, IngestSettings.DEFAULTS, config).options();
        SparkSession session = SparkSessions.create("ingest", spark.master);
        IngestSummary summary = JobSteps.ingest(session, options, lease.waitTime());
        return summary.accepted() > 0 ? 0 : 1;
    }
}
