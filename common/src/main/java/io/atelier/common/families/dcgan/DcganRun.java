package io.atelier.common.families.dcgan;

import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.RunProvenance;
import io.atelier.common.families.SampleGenerator;
import io.atelier.common.runs.TrainedRun;
import io.atelier.common.runs.TrainingState;
import org.apache.hadoop.conf.Configuration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A finished (or checkpointed) GAN run as a generator: its model config from config.json and
 * the weights of its latest complete checkpoint, loaded and checksum-verified on each executor.
 */
public record DcganRun(String runDir, DcganConfig config, List<String> labels, int round, String checkpointSha256)
        implements GeneratorSource {
    @Override
    public int channels() {
        return config.channels();
    }

    @Override
    public int size() {
        return config.imageSize();
    }


    /** How a DCGAN samples, for provenance. */
    static final String SAMPLER = "EMA generator, batch norm in inference mode";

    /** Images from a state's EMA generator, batch norm in inference mode. */
    static SampleGenerator sampler(DcganConfig config, TrainingState state) {
        DcganSampler sampler = new DcganTrainer(config).newSampler(64);
        return (seed, indices, labelsOf) -> sampler.generate(state, seed, indices, labelsOf);
    }

    public static DcganRun open(String runDir, Configuration conf) {
        return of(TrainedRun.open(runDir, conf));
    }

    /** A GAN run from its opened directory (its config.json must have a DCGAN section). */
    public static DcganRun of(TrainedRun run) {
        DcganConfig config = run.section(DcganFamily.CONFIG_MODEL, DcganConfig.class);
        List<String> labels = new ArrayList<>();
        if (config.conditional()) {
            run.config().path(DcganFamily.CONFIG_LABELS).forEach(n -> labels.add(n.asText()));
        }
        return new DcganRun(run.runDir(), config, List.copyOf(labels), run.round(), run.checkpointSha256());
    }

    @Override
    public SampleGenerator open(org.apache.hadoop.conf.Configuration conf) {
        TrainingState state = TrainedRun.loadState(runDir, round, conf);
        return sampler(config, state);
    }

    @Override
    public List<String> labelNames() {
        return labels;
    }

    @Override
    public Map<String, Object> provenance() {
        return RunProvenance.of(runDir, DcganFamily.ID, round, checkpointSha256, SAMPLER);
    }

    @Override
    public String name() {
        return "dcgan:" + TrainedRun.shortName(runDir) + "@" + round;
    }
}
