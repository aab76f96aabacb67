package io.atelier.common.eval;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.SampledEvaluation;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.generate.GenerationJob;
import io.atelier.common.generate.GenerationOptions;
import io.atelier.common.runs.RunReport;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.RoundEvaluation;
import io.atelier.common.train.RoundEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * FID of a model while it trains: after the rounds its {@link RoundEvaluation} names, {@code count}
 * samples are drawn from the training state through the generation job's code path (sample i
 * from (seed, i); every class in turn when conditional) and scored against the same real sample
 * every time, with {@link FeatureSummaryJob}'s distributed statistics. The real sample and the
 * floor (real vs a disjoint real sample of the same size: the other split) are computed once, at
 * the first evaluation. With the same data, features, count and seed, the score equals
 * {@code atelier evaluate --fake RUN --count N --seed S} on a checkpoint of that round (up to the
 * order of floating-point sums across partitions).
 *
 * <p>Reads the state only and draws nothing from the training streams, so training with it gives
 * the same parameters as training without it.
 */
public final class TrainingFid implements RoundEvaluator {
    public static final String FID = "fid";
    public static final String FID_FLOOR = FID + RunReport.FLOOR_SUFFIX;

    /**
     * @param data  the real dataset scored against
     * @param split its split the samples are compared with; the floor uses the other split
     * @param count images per side at most (fewer when a split has fewer)
     * @param seed  the samples' seed and the real sample's
     * @param batch images per feature-network batch
     */
    public record Options(String data, String split, long count, long seed, int batch) implements Serializable {
        public static final long DEFAULT_COUNT = 1000;

        public Options {
            if (data == null || data.isBlank()) {
                throw new InvalidSettingException("{evalData}: give the real dataset to score samples against");
            }
            if (!DatasetSchema.TEST.equals(split) && !DatasetSchema.TRAIN.equals(split)) {
                throw new IllegalArgumentException("split " + split + ": use test or train");
            }
            if (count < 2) {
                throw new InvalidSettingException("{evalCount} " + count + ": use at least 2 images");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch " + batch + ": use 1 or more");
            }
        }

        public static Options of(String data) {
            return new Options(data, DatasetSchema.TEST, DEFAULT_COUNT, 42L, 64);
        }

        public Options withCount(long n) {
            return new Options(data, split, n, seed, batch);
        }

        public Options withSeed(long s) {
            return new Options(data, split, count, s, batch);
        }
    }

    private final SparkSession spark;
    private final FeatureSource features;
    private final Options options;
    private final Function<TrainingState, GeneratorSource> generatorAt;
    private final ImageDataset real;
    private final String floorSplit;
    private final long count;
    private FeatureStatistics realStatistics;
    private double floor;

    private TrainingFid(SparkSession spark, FeatureSource features, Options options,
                        Function<TrainingState, GeneratorSource> generatorAt) {
        this.spark = spark;
        this.features = features;
        this.options = options;
        this.generatorAt = generatorAt;
        this.real = ImageDataset.open(spark, options.data());
        this.floorSplit = DatasetSchema.TEST.equals(options.split()) ? DatasetSchema.TRAIN : DatasetSchema.TEST;
        this.count = sampleSize(real.manifest(), options, floorSplit);
    }

    /**
     * FID every {@code every} rounds (and after the last), for a trainer to complete with its
     * model's sampler. Checks the data against the feature network here, before any training.
     */
    public static SampledEvaluation every(int every, SparkSession spark, FeatureSource features, Options options) {
        Manifest m = ImageDataset.open(spark, options.data()).manifest();
        if (!features.accepts(m.height(), m.width(), m.channels())) {
            throw new InvalidSettingException("{evalData} " + options.data() + " holds " + m.height() + "x" + m.width()
                    + "x" + m.channels() + " images; the feature network takes " + features.accepted()
                    + ": choose another feature network");
        }
        sampleSize(m, options, DatasetSchema.TEST.equals(options.split()) ? DatasetSchema.TRAIN : DatasetSchema.TEST);
        return plan -> {
            if (plan.generatorAt() == null) {
                throw new InvalidSettingException("{evalEvery}: this model makes no samples to score (it translates"
                        + " images); leave {evalEvery} off");
            }
            return new RoundEvaluation(every, new TrainingFid(spark, features, options, plan.generatorAt()));
        };
    }

    private static long sampleSize(Manifest m, Options o, String floorSplit) {
        long n = Math.min(o.count(), Math.min(m.count(o.split()), m.count(floorSplit)));
        if (n < 2) {
            throw new InvalidSettingException("{evalData} " + o.data() + " has " + m.count(o.split()) + " " + o.split()
                    + " and " + m.count(floorSplit) + " " + floorSplit + " images; FID and its floor need at least 2 in each");
        }
        return n;
    }

    @Override
    public Map<String, Double> evaluate(TrainingState state) {
        if (realStatistics == null) {
            realStatistics = summarise(real, options.split());
            floor = FrechetDistance.between(realStatistics, summarise(real, floorSplit));
        }
        GeneratorSource source = generatorAt.apply(state);
        Manifest m = real.manifest();
        if (source.size() != m.height() || source.size() != m.width() || source.channels() != m.channels()) {
            throw new InvalidSettingException("the model makes " + source.size() + "x" + source.size() + "x"
                    + source.channels() + " images; {evalData} " + options.data() + " holds " + m.height() + "x"
                    + m.width() + "x" + m.channels() + ": score against data of the training images' shape");
        }
        int partitions = (int) Math.max(1, Math.min(spark.sparkContext().defaultParallelism(), count / 64));
        GenerationOptions generation = GenerationOptions.of(count, "(scored, not written)", options.seed())
                .withPartitions(partitions).withLabels(null, !source.labelNames().isEmpty());
        Dataset<Row> samples = new GenerationJob(spark).rows(source, generation)
                .withColumn(FeatureSummaryJob.KEY, xxhash64(lit(options.seed()), col(DatasetSchema.ID)));
        FeatureStatistics fake = FeatureSummaryJob.summarise(samples, features, options.batch(), 1).statistics();
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put(FID, FrechetDistance.between(realStatistics, fake));
        scores.put(FID_FLOOR, floor);
        return scores;
    }

    private FeatureStatistics summarise(ImageDataset dataset, String split) {
        Dataset<Row> rows = dataset.rows(spark).where(col(DatasetSchema.SPLIT).equalTo(split));
        return FeatureSummaryJob.summarise(EvalSample.of(rows, count, options.seed()), features, options.batch(), 1)
                .statistics();
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", "FID of the model's samples against real images; " + FID_FLOOR
                + " is real against a disjoint real sample of the same size");
        m.put("data", options.data());
        m.put("split", options.split());
        m.put("floorSplit", floorSplit);
        m.put("count", count);
        m.put("countRequested", options.count());
        m.put("seed", options.seed());
        m.put("samples", "sample i from (seed, i), every class in turn when conditional; the same samples each time");
        m.put("features", features.provenance());
        return m;
    }
}
