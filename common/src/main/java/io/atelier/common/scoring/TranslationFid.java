package io.atelier.common.scoring;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.eval.EvalSample;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.eval.FeatureStatistics;
import io.atelier.common.eval.FeatureSummaryJob;
import io.atelier.common.eval.FrechetDistance;
import io.atelier.common.families.SampledEvaluation;
import io.atelier.common.families.cyclegan.CycleGanConfig;
import io.atelier.common.families.cyclegan.CycleGanFamily;
import io.atelier.common.families.cyclegan.CycleGanStateTranslator;
import io.atelier.common.families.cyclegan.CycleGanTranslations;
import io.atelier.common.families.cyclegan.CycleGanTranslator.Direction;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.runs.RunReport;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.RoundEvaluation;
import io.atelier.common.train.RoundEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;

/**
 * A CycleGAN's translations scored while it trains: after the rounds its {@link RoundEvaluation}
 * names, the same sample of each domain's test images is translated by the state's generators and
 * compared with the other domain's test images (FID, beside the floor of those against a disjoint
 * sample of the same size from the train split), and its cycle error measured. Per direction the
 * metrics are {@code fid_a2b}, {@code fid_a2b_floor} and {@code cycle_l1_a2b} (and b2a). With the
 * same features, count and seed, {@code fid_a2b} is the {@code fid.translated} of {@code atelier
 * evaluate --fake RUN --direction a2b} on a checkpoint of that round when the floor's split holds
 * at least as many images (up to the order of floating-point sums). Reads the state only.
 */
public final class TranslationFid implements RoundEvaluator {
    /** Images per generator call, as {@code evaluate} translates them. */
    private static final int TRANSLATE_BATCH = 8;

    private final FeatureSource features;
    private final Sample sample;
    private final CycleGanConfig model;
    private final TranslationDomains domains;
    private final Map<Direction, Dataset<Row>> sources = new EnumMap<>(Direction.class);
    private final Map<Direction, FeatureStatistics> targets = new EnumMap<>(Direction.class);
    private final Map<Direction, Double> floors = new EnumMap<>(Direction.class);

    /**
     * @param count images per side at most
     * @param seed  the sampling seed, the same every evaluation
     * @param batch images per feature-network batch
     */
    public record Sample(long count, long seed, int batch) {
        public Sample {
            if (count < 2) {
                throw new InvalidSettingException("{evalCount} " + count + ": use at least 2 images");
            }
        }
    }

    private TranslationFid(FeatureSource features, Sample sample, CycleGanConfig model,
                           TranslationDomains domains) {
        this.features = features;
        this.sample = sample;
        this.model = model;
        this.domains = domains;
    }

    /**
     * Translation scores every {@code every} rounds (and after the last), completed with a CycleGAN
     * plan's model config; the domains' data is resolved from it then, before any training.
     *
     * @param domainsOf the domains' images for the plan's model config
     */
    public static SampledEvaluation every(int every, FeatureSource features, Sample sample,
                                          Function<CycleGanConfig, TranslationDomains> domainsOf) {
        return plan -> {
            if (!(plan.sections().get(CycleGanFamily.CONFIG_MODEL) instanceof CycleGanConfig model)) {
                throw new InvalidSettingException("{evalEvery}: translation scores need a CycleGAN model");
            }
            TranslationDomains domains = domainsOf.apply(model);
            if (!features.accepts(model.imageSize(), model.imageSize(), model.channels())) {
                throw new InvalidSettingException("{evalFeatures}: the feature network takes " + features.accepted()
                        + ", the model translates " + model.imageSize() + "x" + model.imageSize() + "x" + model.channels()
                        + " images: choose another feature network");
            }
            return new RoundEvaluation(every, new TranslationFid(features, sample, model, domains));
        };
    }

    @Override
    public Map<String, Double> evaluate(TrainingState state) {
        CycleGanStateTranslator generators = CycleGanStateTranslator.of(model, state);
        Map<String, Double> scores = new LinkedHashMap<>();
        for (Direction d : Direction.values()) {
            prepare(d);
            Dataset<Row> translated = CycleGanTranslations.of(sources.get(d), FeatureSummaryJob.KEY, generators, d,
                    TRANSLATE_BATCH).persist(StorageLevel.MEMORY_AND_DISK());
            try {
                FeatureStatistics fake = FeatureSummaryJob.summarise(translated, features, sample.batch(), 1).statistics();
                scores.put(fidMetric(d), FrechetDistance.between(targets.get(d), fake));
                scores.put(fidMetric(d) + RunReport.FLOOR_SUFFIX, floors.get(d));
                scores.put(cycleL1Metric(d), translated.agg(avg(CycleGanTranslations.CYCLE_L1)).first()
                        .getDouble(0));
            } finally {
                translated.unpersist();
            }
        }
        return scores;
    }

    /** The fixed source sample, target statistics and floor of a direction, computed at the first evaluation. */
    private void prepare(Direction d) {
        if (targets.containsKey(d)) {
            return;
        }
        Dataset<Row> source = EvalSample.of(split(domains.sourceRows(d), DatasetSchema.TEST), sample.count(), sample.seed());
        Dataset<Row> target = EvalSample.of(split(domains.targetRows(d), DatasetSchema.TEST), sample.count(), sample.seed());
        long sourceCount = source.count();
        long targetCount = target.count();
        // The floor compares samples of one size, as FID depends on it.
        Dataset<Row> other = EvalSample.of(split(domains.targetRows(d), DatasetSchema.TRAIN), Math.max(1, targetCount),
                sample.seed());
        long otherCount = other.count();
        if (sourceCount < 2 || targetCount < 2 || otherCount < 2) {
            throw new InvalidSettingException(domains.sourceFlag(d) + ": scoring " + d.id() + " needs at least 2 test"
                    + " images of the source domain (has " + sourceCount + ") and 2 test and 2 train images of the target"
                    + " domain (has " + targetCount + " and " + otherCount + "); lower {evalCount} or leave {evalEvery} off");
        }
        FeatureStatistics targetStats = statistics(target);
        sources.put(d, source);
        targets.put(d, targetStats);
        floors.put(d, FrechetDistance.between(targetStats, statistics(other)));
    }

    private static Dataset<Row> split(Dataset<Row> rows, String split) {
        return rows.where(col(DatasetSchema.SPLIT).equalTo(split));
    }

    private FeatureStatistics statistics(Dataset<Row> rows) {
        return FeatureSummaryJob.summarise(rows, features, sample.batch(), 1).statistics();
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", "per direction: FID of the state's translations of source-domain test images against the"
                + " target domain's test images; _floor: those against a disjoint sample of the target's train split;"
                + " cycle_l1: mean |F(G(x)) - x| in [0, 1] pixel units");
        m.put("domainA", domains.flagA());
        m.put("domainB", domains.flagB());
        m.put("count", sample.count());
        m.put("seed", sample.seed());
        m.put("samples", "per domain, the rows with the n smallest xxhash64(seed, id); the same images each time");
        m.put("features", features.provenance());
        return m;
    }

    static String fidMetric(Direction d) {
        return "fid_" + d.id();
    }

    static String cycleL1Metric(Direction d) {
        return "cycle_l1_" + d.id();
    }
}
