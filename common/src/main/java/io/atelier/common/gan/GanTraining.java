package io.atelier.common.gan;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.generate.SampledEvaluation;
import io.atelier.common.train.AveragingEngine;
import io.atelier.common.train.EngineConfig;
import io.atelier.common.train.ProgressListener;
import io.atelier.common.train.RunSpec;
import io.atelier.common.train.TrainingInputs;
import io.atelier.common.train.TrainingResult;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.Map;

/** The train-gan job: settings -> model config sized from the dataset -> the averaging engine. */
public final class GanTraining {
    /** Keys of the run's config.json that {@link GanRun} reads back. */
    static final String CONFIG_SETTINGS = "settings";
    static final String CONFIG_MODEL = "dcgan";
    static final String CONFIG_ENGINE = "engine";
    static final String CONFIG_LABELS = "labelNames";

    private GanTraining() {
    }

    public static TrainingResult run(SparkSession spark, GanSettings settings, ProgressListener progress) {
        return run(spark, settings, progress, null);
    }

    /** @param evaluation scores between rounds (e.g. FID), sampling the EMA generator; null for none */
    public static TrainingResult run(SparkSession spark, GanSettings settings, ProgressListener progress,
                                     SampledEvaluation evaluation) {
        GanSettings s = settings.requirePaths();
        Manifest manifest = ImageDataset.open(spark, s.data()).manifest();
        TrainingInputs.requireTrainable(manifest, s.data(), s.workers(), s.batch());
        DcganConfig model = s.dcgan(manifest);
        EngineConfig engine = new EngineConfig(s.workers(), s.localSteps(), s.rounds(), s.seed(), s.sampleEvery(),
                s.sampleCount(), s.checkpointEvery(), s.keepCheckpoints());
        Map<String, Object> resolved = new LinkedHashMap<>();
        resolved.put("command", "train-gan");
        resolved.put(CONFIG_SETTINGS, s);
        resolved.put(CONFIG_MODEL, model);
        resolved.put(CONFIG_ENGINE, engine);
        resolved.put(CONFIG_LABELS, manifest.labelNames());
        RunSpec spec = new RunSpec(new DcganTrainer(model), s.data(), s.out(), engine, resolved);
        if (evaluation != null) {
            spec = spec.withEvaluation(evaluation.forModel(state -> GanState.of(model, manifest.labelNames(), state)));
        }
        AveragingEngine trainer = new AveragingEngine(spark);
        return s.resume() ? trainer.resume(spec, progress) : trainer.train(spec, progress);
    }
}
