package io.atelier.common.diffusion;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.train.AveragingEngine;
import io.atelier.common.train.EngineConfig;
import io.atelier.common.train.ProgressListener;
import io.atelier.common.generate.SampledEvaluation;
import io.atelier.common.train.RunSpec;
import io.atelier.common.train.TrainingInputs;
import io.atelier.common.train.TrainingResult;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The train-diffusion job: settings -> model config sized from the dataset -> the averaging engine. */
public final class DiffusionTraining {
    public static final String COMMAND = "train-diffusion";
    /** Keys of the run's config.json that {@link DiffusionRun} reads back. */
    static final String CONFIG_SETTINGS = "settings";
    static final String CONFIG_MODEL = "diffusion";
    static final String CONFIG_ENGINE = "engine";
    static final String CONFIG_LABELS = "labelNames";

    /** Where a conditional run's captions came from: label_name or caption. */
    static final String CONFIG_CAPTION_SOURCE = "captionSource";

    private DiffusionTraining() {
    }

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

    public static TrainingResult run(SparkSession spark, DiffusionSettings settings, ProgressListener progress) {
        return run(spark, settings, progress, null);
    }

    /** @param evaluation scores between rounds (e.g. FID), sampling the EMA weights; null for none */
    public static TrainingResult run(SparkSession spark, DiffusionSettings settings, ProgressListener progress,
                                     SampledEvaluation evaluation) {
        DiffusionSettings s = settings.requirePaths();
        ImageDataset dataset = ImageDataset.open(spark, s.data());
        Manifest manifest = dataset.manifest();
        TrainingInputs.requireTrainable(manifest, s.data(), s.workers(), 1);
        DiffusionConfig model = s.model(manifest, s.conditional() ? ConditionCaptions.of(spark, dataset) : null);
        EngineConfig engine = new EngineConfig(s.workers(), s.localSteps(), s.rounds(), s.seed(), s.sampleEvery(),
                s.sampleCount(), s.checkpointEvery(), s.keepCheckpoints());
        Map<String, Object> resolved = new LinkedHashMap<>();
        resolved.put("command", COMMAND);
        resolved.put(CONFIG_SETTINGS, s);
        resolved.put(CONFIG_MODEL, model);
        resolved.put(CONFIG_ENGINE, engine);
        List<String> labels = askableLabels(model, manifest.labelNames());
        resolved.put(CONFIG_LABELS, labels);
        if (model.conditional()) {
            resolved.put(CONFIG_CAPTION_SOURCE, model.captionSource().name().toLowerCase(Locale.ROOT));
        }
        RunSpec spec = new RunSpec(new DiffusionTrainer(model), s.data(), s.out(), engine, resolved);
        if (evaluation != null) {
            spec = spec.withEvaluation(evaluation.forModel(state -> DiffusionState.of(model, labels, state)));
        }
        AveragingEngine trainer = new AveragingEngine(spark);
        return s.resume() ? trainer.resume(spec, progress) : trainer.train(spec, progress);
    }
}
