package io.atelier.common.families.dcgan;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.ModelFamily;
import io.atelier.common.families.SamplingOptions;
import io.atelier.common.families.StateGenerator;
import io.atelier.common.families.TrainingPlan;
import io.atelier.common.families.TrainingSettings;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.runs.TrainedRun;
import io.atelier.common.train.TrainingInputs;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** DCGAN (optionally class-conditional) as a registered family: settings -> model sized from the dataset. */
public final class DcganFamily implements ModelFamily {
    public static final String ID = "dcgan";
    /** Keys of the run's config.json that {@link DcganRun} reads back. */
    static final String CONFIG_MODEL = "dcgan";
    static final String CONFIG_LABELS = "labelNames";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public DcganSettings defaults() {
        return DcganSettings.DEFAULTS;
    }

    @Override
    public TrainingPlan plan(SparkSession spark, TrainingSettings settings, ImageDataset dataset) {
        DcganSettings s = (DcganSettings) settings;
        Manifest manifest = dataset.manifest();
        TrainingInputs.requireTrainable(manifest, s.data(), s.workers(), s.batch());
        DcganConfig model = s.dcgan(manifest);
        Map<String, Object> sections = new LinkedHashMap<>();
        sections.put(CONFIG_MODEL, model);
        sections.put(CONFIG_LABELS, manifest.labelNames());
        List<String> labels = model.conditional() ? manifest.labelNames() : List.of();
        return new TrainingPlan(new DcganTrainer(model), sections, state -> StateGenerator.of(ID, model, model.channels(),
                model.imageSize(), labels, state, List.of(DcganTrainer.G_EMA, DcganTrainer.G_EMA_STATS), DcganRun.SAMPLER,
                tensors -> DcganRun.sampler(model, tensors)));
    }

    @Override
    public GeneratorSource openRun(TrainedRun run, SamplingOptions options) {
        if (!options.given().isEmpty()) {
            throw new InvalidSettingException(String.join(", ", options.given()) + ": " + run.runDir()
                    + " is a DCGAN run, which takes none of these sampler options");
        }
        return DcganRun.of(run);
    }
}
