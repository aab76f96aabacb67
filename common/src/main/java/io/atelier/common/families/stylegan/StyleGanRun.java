package io.atelier.common.families.stylegan;

import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.RunProvenance;
import io.atelier.common.families.SampleGenerator;
import io.atelier.common.runs.TrainedRun;
import io.atelier.common.runs.TrainingState;

import java.util.List;
import java.util.Map;

/**
 * A StyleGAN run's latest complete checkpoint as a generator: config from config.json, weights,
 * tracked mean w and noise maps loaded (checksum-verified) on each executor, and how to sample.
 */
public record StyleGanRun(String runDir, StyleGanConfig config, int round, String checkpointSha256, StyleGanSampling sampling)
        implements GeneratorSource {
    private static final int BATCH = 32;

    /** Images of a state's EMA generator under {@code sampling}. */
    static SampleGenerator sampler(StyleGanConfig config, TrainingState state, StyleGanSampling sampling) {
        StyleGanSampler sampler = new StyleGanSampler(config, BATCH);
        return (seed, indices, labels) -> sampler.generate(state, seed, indices, sampling);
    }

    public static StyleGanRun of(TrainedRun run, StyleGanSampling sampling) {
        return new StyleGanRun(run.runDir(), run.section(StyleGanFamily.CONFIG_MODEL, StyleGanConfig.class), run.round(),
                run.checkpointSha256(), sampling);
    }

    @Override
    public SampleGenerator open(org.apache.hadoop.conf.Configuration conf) {
        return sampler(config, TrainedRun.loadState(runDir, round, conf), sampling);
    }

    @Override
    public int channels() {
        return config.channels();
    }

    @Override
    public int size() {
        return config.imageSize();
    }

    @Override
    public List<String> labelNames() {
        return List.of();
    }

    @Override
    public Map<String, Object> provenance() {
        Map<String, Object> p = RunProvenance.of(runDir, StyleGanFamily.ID, round, checkpointSha256, sampling.describe());
        p.put("truncation", sampling.truncation());
        p.put("noiseMode", sampling.noise().name().toLowerCase(java.util.Locale.ROOT));
        if (sampling.mixSeed() != null) {
            p.put("mixSeed", sampling.mixSeed());
            p.put("mixLayers", sampling.mixFrom() + "-" + sampling.mixTo());
        }
        return p;
    }

    @Override
    public String name() {
        return "stylegan:" + TrainedRun.shortName(runDir) + "@" + round;
    }
}
