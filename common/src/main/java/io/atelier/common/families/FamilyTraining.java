package io.atelier.common.families;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.train.AveragingEngine;
import io.atelier.common.train.ProgressListener;
import io.atelier.common.train.RunSpec;
import io.atelier.common.train.TrainingInputs;
import io.atelier.common.train.TrainingResult;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Trains any family: settings -> the family's plan for the dataset -> the averaging engine. */
public final class FamilyTraining {
    /** Keys of config.json that every run has. */
    public static final String CONFIG_FAMILY = "family";
    public static final String CONFIG_SETTINGS = "settings";
    public static final String CONFIG_ENGINE = "engine";

    private FamilyTraining() {
    }

    /**
     * Starts (or with {@code settings.resume()}, continues) a run.
     *
     * @param evaluation scores between rounds (e.g. FID), sampling the family's generator; null for none
     */
    public static TrainingResult run(SparkSession spark, ModelFamily family, TrainingSettings settings,
                                     ProgressListener progress, SampledEvaluation evaluation) {
        settings.requirePaths();
        List<ImageDataset> inputs = settings.inputs().stream().map(path -> ImageDataset.open(spark, path)).toList();
        TrainingInputs.requireSameGeometry(inputs);
        // The first input's manifest holds the geometry; a family of several inputs opens the rest itself.
        TrainingPlan plan = family.plan(spark, settings, inputs.get(0));
        Map<String, Object> resolved = new LinkedHashMap<>();
        resolved.put(CONFIG_FAMILY, family.id());
        resolved.put(CONFIG_SETTINGS, settings);
        resolved.put(CONFIG_ENGINE, settings.engine());
        plan.sections().forEach((key, value) -> {
            if (resolved.putIfAbsent(key, value) != null) {
                throw new IllegalStateException("family " + family.id() + " records a config section '" + key
                        + "' that every run already has");
            }
        });
        RunSpec spec = new RunSpec(plan.trainer(), settings.inputs(), settings.out(), settings.engine(), resolved);
        if (evaluation != null) {
            spec = spec.withEvaluation(evaluation.forPlan(plan));
        }
        AveragingEngine engine = new AveragingEngine(spark);
        return settings.resume() ? engine.resume(spec, progress) : engine.train(spec, progress);
    }
}
