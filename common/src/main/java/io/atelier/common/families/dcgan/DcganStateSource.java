package io.atelier.common.families.dcgan;

import io.atelier.common.families.SampleGenerator;
import io.atelier.common.io.Sha256;
import io.atelier.common.runs.TrainingState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generator of an in-memory training state (between rounds, not from a checkpoint) as a
 * {@link io.atelier.common.families.GeneratorSource}: what evaluation during training samples from. It carries only the EMA
 * generator's tensors, copied, so the training state is never shared with the sampler; equality
 * is by their SHA-256, so executors reuse a generator only for the same weights.
 */
public final class DcganStateSource implements DcganSource {
    private final DcganConfig config;
    private final List<String> labels;
    private final TrainingState generator;
    private final String sha256;

    private DcganStateSource(DcganConfig config, List<String> labels, TrainingState generator, String sha256) {
        this.config = config;
        this.labels = labels;
        this.generator = generator;
        this.sha256 = sha256;
    }

    /** @param labels the class names of a conditional model (ignored when it is not) */
    public static DcganStateSource of(DcganConfig config, List<String> labels, TrainingState state) {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (String name : List.of(DcganTrainer.G_EMA, DcganTrainer.G_EMA_STATS)) {
            tensors.put(name, state.get(name).clone());
        }
        return new DcganStateSource(config, config.conditional() ? List.copyOf(labels) : List.of(),
                new TrainingState(tensors, state.step(), state.round()),
                Sha256.ofFloats(tensors.values().toArray(new float[0][])));
    }

    /** Images from {@code state}'s EMA generator, batch norm in inference mode (also what {@link DcganRun} samples with). */
    static SampleGenerator sampler(DcganConfig config, TrainingState state) {
        DcganSampler sampler = new DcganTrainer(config).newSampler(64);
        return (seed, indices, labelsOf) -> sampler.generate(state, seed, indices, labelsOf);
    }

    @Override
    public SampleGenerator open() {
        return sampler(config, generator);
    }

    @Override
    public DcganConfig config() {
        return config;
    }

    @Override
    public List<String> labelNames() {
        return labels;
    }

    @Override
    public Map<String, Object> provenance() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("family", "dcgan");
        p.put("round", generator.round());
        p.put("step", generator.step());
        p.put("generatorSha256", sha256);
        p.put("sampler", "EMA generator, batch norm in inference mode");
        return p;
    }

    @Override
    public String name() {
        return "dcgan@" + generator.round();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DcganStateSource other && other.sha256.equals(sha256) && other.config.equals(config);
    }

    @Override
    public int hashCode() {
        return sha256.hashCode();
    }
}
