package io.atelier.common.gan;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.generate.SampleGenerator;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import io.atelier.common.train.Checkpoints;
import io.atelier.common.train.RunDirectory;
import io.atelier.common.train.TrainingState;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished (or checkpointed) GAN run as a generator: its model config from config.json and
 * the weights of its latest complete checkpoint, loaded and checksum-verified on each executor.
 */
public record GanRun(String runDir, DcganConfig config, List<String> labels, int round, String checkpointSha256)
        implements DcganSource {

    public static GanRun open(String runDir, Configuration conf) {
        RunDirectory dir = RunDirectory.existing(runDir, conf);
        JsonNode resolved;
        try {
            resolved = Json.MAPPER.readTree(HadoopFiles.readAll(dir.config(), conf));
        } catch (IOException e) {
            throw new IllegalArgumentException("--model " + runDir + ": cannot read " + dir.config() + ": " + e.getMessage(), e);
        }
        if (!resolved.has(GanTraining.CONFIG_MODEL)) {
            throw new IllegalArgumentException("--model " + runDir + " is not a train-gan run (its config.json has no '"
                    + GanTraining.CONFIG_MODEL + "' section)");
        }
        DcganConfig config;
        try {
            config = Json.MAPPER.treeToValue(resolved.get(GanTraining.CONFIG_MODEL), DcganConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("--model " + runDir + ": unreadable model config: " + e.getMessage(), e);
        }
        List<String> labels = new ArrayList<>();
        if (config.conditional()) {
            resolved.path(GanTraining.CONFIG_LABELS).forEach(n -> labels.add(n.asText()));
        }
        Checkpoints checkpoints = dir.checkpoints();
        int round = checkpoints.latestRound().orElseThrow(() -> new IllegalArgumentException("--model " + runDir
                + " has no complete checkpoint yet; train it first (or wait for its first checkpoint)"));
        Checkpoints.Checkpoint checkpoint = checkpoints.load(round); // verifies the checksums on the driver
        String sha = io.atelier.common.io.Sha256.of(
                HadoopFiles.readAll(new org.apache.hadoop.fs.Path(checkpoint.dir(), Checkpoints.STATE), conf));
        return new GanRun(runDir, config, List.copyOf(labels), round, sha);
    }

    @Override
    public SampleGenerator open() {
        Configuration conf = new Configuration();
        TrainingState state = RunDirectory.existing(runDir, conf).checkpoints().load(round).state();
        return GanState.sampler(config, state);
    }

    @Override
    public List<String> labelNames() {
        return labels;
    }

    @Override
    public Map<String, Object> provenance() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("run", runDir);
        p.put("family", "dcgan");
        p.put("checkpointRound", round);
        p.put("checkpointSha256", checkpointSha256);
        p.put("sampler", "EMA generator, batch norm in inference mode");
        return p;
    }

    @Override
    public String name() {
        String trimmed = runDir.endsWith("/") ? runDir.substring(0, runDir.length() - 1) : runDir;
        return "dcgan:" + trimmed.substring(trimmed.lastIndexOf('/') + 1) + "@" + round;
    }
}
