package io.atelier.common.families.diffusion;

import io.atelier.common.families.SampleGenerator;
import io.atelier.common.io.Sha256;
import io.atelier.common.runs.TrainingState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The EMA weights of an in-memory training state (between rounds) as a {@link io.atelier.common.families.GeneratorSource}:
 * what evaluation during training samples from, with the default sampler settings. It holds a
 * copy of the weights, so the training state is never shared; equality is by their SHA-256, so
 * executors reuse a sampler only for the same weights.
 */
public final class DiffusionStateSource implements DiffusionSource {
    private final DiffusionConfig config;
    private final List<String> labels;
    private final float[] weights;
    private final int round;
    private final String sha256;

    private DiffusionStateSource(DiffusionConfig config, List<String> labels, float[] weights, int round, String sha256) {
        this.config = config;
        this.labels = labels;
        this.weights = weights;
        this.round = round;
        this.sha256 = sha256;
    }

    public static DiffusionStateSource of(DiffusionConfig config, List<String> labels, TrainingState state) {
        float[] w = state.get(DiffusionTrainer.EMA).clone();
        return new DiffusionStateSource(config, config.conditional() ? List.copyOf(labels) : List.of(), w, state.round(),
                Sha256.ofFloats(w));
    }

    @Override
    public SampleGenerator open() {
        return DiffusionRun.generator(config, labels, weights, DiffusionSampler.Settings.DEFAULT, null, name());
    }

    @Override
    public DiffusionConfig config() {
        return config;
    }

    @Override
    public List<String> labelNames() {
        return labels;
    }

    @Override
    public Map<String, Object> provenance() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("family", "diffusion");
        p.put("round", round);
        p.put("weightsSha256", sha256);
        p.put("sampler", "EMA weights, " + DiffusionSampler.Settings.DEFAULT.describe());
        return p;
    }

    @Override
    public String name() {
        return "diffusion@" + round;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiffusionStateSource other && other.sha256.equals(sha256) && other.config.equals(config);
    }

    @Override
    public int hashCode() {
        return sha256.hashCode();
    }
}
