package io.atelier.common.families.diffusion;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.io.InvalidSettingException;
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
import java.util.Locale;
import java.util.Map;

/** DDPM-style diffusion (unconditional, or conditioned on captions) as a registered family. */
public final class DiffusionFamily implements ModelFamily {
    public static final String ID = "diffusion";
    /** Keys of the run's config.json that {@link DiffusionRun} reads back. */
    static final String CONFIG_MODEL = "diffusion";
    static final String CONFIG_LABELS = "labelNames";

    /** Where a conditional run's captions came from: label_name or caption. */
    static final String CONFIG_CAPTION_SOURCE = "captionSource";

    /**
     * The classes {@code --label} can ask for: every label of a model of label names; for a model
     * of captions, the labels when all their names are made of caption words, else none.
     */
    static List<String> askableLabels(DiffusionConfig model, List<String> names) {
        if (names == null || model.captionSource() != DiffusionConfig.CaptionSource.CAPTION) {
            return names == null ? List.of() : names;
        }
        Vocabulary vocabulary = model.vocabulary();
        try {
            names.forEach(vocabulary::encode);
            return names;
        } catch (IllegalArgumentException wordsNeverCaptioned) {
            return List.of();
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public DiffusionSettings defaults() {
        return DiffusionSettings.DEFAULTS;
    }

    @Override
    public TrainingPlan plan(SparkSession spark, TrainingSettings settings, ImageDataset dataset) {
        DiffusionSettings s = (DiffusionSettings) settings;
        Manifest manifest = dataset.manifest();
        TrainingInputs.requireTrainable(manifest, s.data(), s.workers(), 1);
        DiffusionConfig model = s.model(manifest, s.conditional() ? ConditionCaptions.of(spark, dataset) : null);
        Map<String, Object> sections = new LinkedHashMap<>();
        sections.put(CONFIG_MODEL, model);
        List<String> labels = askableLabels(model, manifest.labelNames());
        sections.put(CONFIG_LABELS, labels);
        if (model.conditional()) {
            sections.put(CONFIG_CAPTION_SOURCE, model.captionSource().name().toLowerCase(Locale.ROOT));
        }
        List<String> sampledLabels = model.conditional() ? labels : List.of();
        DiffusionSampler.Settings sampling = DiffusionSampler.Settings.DEFAULT;
        return new TrainingPlan(new DiffusionTrainer(model), sections, state -> StateGenerator.of(ID, model, model.channels(),
                model.imageSize(), sampledLabels, state, List.of(DiffusionTrainer.EMA), "EMA weights, " + sampling.describe(),
                tensors -> DiffusionRun.generator(model, sampledLabels, tensors.get(DiffusionTrainer.EMA), sampling, null,
                        ID + "@" + tensors.round())));
    }

    @Override
    public GeneratorSource openRun(TrainedRun run, SamplingOptions options) {
        if (!options.styleGanGiven().isEmpty()) {
            throw new InvalidSettingException(String.join(", ", options.styleGanGiven()) + ": " + run.runDir()
                    + " is a diffusion run; these options apply to StyleGAN runs only");
        }
        return DiffusionRun.of(run, options);
    }
}
