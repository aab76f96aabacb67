package io.atelier.common.families.stylegan;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.ModelFamily;
import io.atelier.common.families.SamplingOptions;
import io.atelier.common.families.StateGenerator;
import io.atelier.common.families.TrainingPlan;
import io.atelier.common.families.TrainingSettings;
import io.atelier.common.runs.TrainedRun;
import io.atelier.common.train.TrainingInputs;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** StyleGAN2 as a registered family: settings -> model sized from the dataset; runs reopen as generators. */
public final class StyleGanFamily implements ModelFamily {
    public static final String ID = StyleGanSettings.MODEL;
    /** Key of the run's config.json that {@link StyleGanRun} reads back. */
    static final String CONFIG_MODEL = "stylegan";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public StyleGanSettings defaults() {
        return StyleGanSettings.DEFAULTS;
    }

    @Override
    public TrainingPlan plan(SparkSession spark, TrainingSettings settings, ImageDataset dataset) {
        StyleGanSettings s = (StyleGanSettings) settings;
        Manifest manifest = dataset.manifest();
        StyleGanConfig model = s.stylegan(manifest);
        TrainingInputs.requireTrainable(manifest, s.data(), s.workers(), s.batch());
        Map<String, Object> sections = new LinkedHashMap<>();
        sections.put(CONFIG_MODEL, model);
        return new TrainingPlan(new StyleGanTrainer(model), sections, state -> StateGenerator.of(ID, model, model.channels(),
                model.imageSize(), List.of(), state,
                List.of(StyleGanTrainer.G_EMA, StyleGanTrainer.W_AVG, StyleGanTrainer.NOISE_CONST),
                StyleGanSampling.DEFAULT.describe(), tensors -> StyleGanRun.sampler(model, tensors, StyleGanSampling.DEFAULT)));
    }

    @Override
    public GeneratorSource openRun(TrainedRun run, SamplingOptions options) {
        StyleGanConfig config = run.section(CONFIG_MODEL, StyleGanConfig.class);
        return StyleGanRun.of(run, StyleGanSampling.of(options, config.architecture().numWs()));
    }
}
