package io.atelier.common.families;

import io.atelier.common.io.Sha256;
import io.atelier.common.runs.TrainingState;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The sampling tensors of an in-memory training state (between rounds, not from a checkpoint) as
 * a {@link GeneratorSource}: what evaluation during training samples from, for any family. It
 * holds a copy of the tensors it needs, so the training state is never shared with the sampler;
 * equality is by their SHA-256 and the model config, so executors reuse a sampler only for the
 * same weights.
 */
public final class StateGenerator implements GeneratorSource {
    /** Builds the executor-side sampler from the copied tensors. */
    @FunctionalInterface
    public interface Sampler extends Serializable {
        SampleGenerator open(TrainingState tensors);
    }

    private final String family;
    private final Serializable config;
    private final int channels;
    private final int size;
    private final List<String> labels;
    private final TrainingState tensors;
    private final String sha256;
    private final String description;
    private final Sampler sampler;

    private StateGenerator(String family, Serializable config, int channels, int size, List<String> labels,
                           TrainingState tensors, String sha256, String description, Sampler sampler) {
        this.family = family;
        this.config = config;
        this.channels = channels;
        this.size = size;
        this.labels = labels;
        this.tensors = tensors;
        this.sha256 = sha256;
        this.description = description;
        this.sampler = sampler;
    }

    /**
     * @param config      the model config (part of equality)
     * @param labels      label names a conditional model takes; empty when it takes none
     * @param state       the training state; the tensors named are copied out of it
     * @param description how it samples, for provenance ("EMA generator, batch norm in inference mode")
     */
    public static StateGenerator of(String family, Serializable config, int channels, int size, List<String> labels,
                                    TrainingState state, List<String> tensorNames, String description, Sampler sampler) {
        Map<String, float[]> copied = new LinkedHashMap<>();
        tensorNames.forEach(name -> copied.put(name, state.get(name).clone()));
        return new StateGenerator(family, config, channels, size, List.copyOf(labels),
                new TrainingState(copied, state.step(), state.round()),
                Sha256.ofFloats(copied.values().toArray(new float[0][])), description, sampler);
    }

    @Override
    public SampleGenerator open(org.apache.hadoop.conf.Configuration conf) {
        return sampler.open(tensors);
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public List<String> labelNames() {
        return labels;
    }

    @Override
    public Map<String, Object> provenance() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("family", family);
        p.put("round", tensors.round());
        p.put("step", tensors.step());
        p.put("weightsSha256", sha256);
        p.put("sampler", description);
        return p;
    }

    @Override
    public String name() {
        return family + "@" + tensors.round();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StateGenerator other && other.sha256.equals(sha256) && other.family.equals(family)
                && other.config.equals(config);
    }

    @Override
    public int hashCode() {
        return Objects.hash(family, sha256);
    }
}
