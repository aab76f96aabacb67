package io.atelier.common.families;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.runs.TrainedRun;
import org.apache.spark.sql.SparkSession;

/**
 * One model family (DCGAN, diffusion, ...), registered by id in
 * {@code META-INF/services/io.atelier.common.families.ModelFamily}. It names its typed settings and
 * their defaults, turns settings and a dataset into a {@link TrainingPlan} for the averaging
 * engine, and reopens its runs as generators. The engine owns the loop; a family owns one step.
 */
public interface ModelFamily {
    /** The id a run directory records ({@code config.json}'s {@code family}) and users select by. */
    String id();

    /** The family's settings with every default filled in (paths empty). */
    TrainingSettings defaults();

    /** The model for a dataset: its trainer, the config sections to record, and its sampler. */
    TrainingPlan plan(SparkSession spark, TrainingSettings settings, ImageDataset dataset);

    /**
     * A run of this family as a generator. Sampler options the family does not take are refused
     * with a message naming them.
     */
    GeneratorSource openRun(TrainedRun run, SamplingOptions options);
}
