package io.atelier.common.runs;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Json;
import io.atelier.common.io.Sha256;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;

/**
 * A run directory opened for sampling: its resolved config.json and its latest complete
 * checkpoint (checksums verified), identified by round and the SHA-256 of its state file.
 */
public record TrainedRun(String runDir, JsonNode config, int round, String checkpointSha256) {

    public static TrainedRun open(String runDir, Configuration conf) {
        RunDirectory dir = RunDirectory.existing(runDir, conf);
        JsonNode resolved;
        try {
            resolved = Json.MAPPER.readTree(HadoopFiles.readAll(dir.config(), conf));
        } catch (IOException e) {
            throw new InvalidSettingException("{model} " + runDir + ": cannot read " + dir.config() + ": " + e.getMessage(), e);
        }
        Checkpoints checkpoints = dir.checkpoints();
        int round = checkpoints.latestRound().orElseThrow(() -> new InvalidSettingException("{model} " + runDir
                + " has no complete checkpoint yet; train it first (or wait for its first checkpoint)"));
        Checkpoints.Checkpoint checkpoint;
        try {
            checkpoint = checkpoints.load(round); // verifies the checksums on the driver
        } catch (Checkpoints.DamagedCheckpointException e) {
            // Not an older model in silence: the caller asked for the run's latest.
            throw new InvalidSettingException("{model} " + runDir + ": " + e.getMessage() + "; resuming the run"
                    + " ({resume}) moves it aside and redoes its rounds from the checkpoint before it", e);
        }
        String sha = Sha256.of(HadoopFiles.readAll(new Path(checkpoint.dir(), Checkpoints.STATE), conf));
        return new TrainedRun(runDir, resolved, round, sha);
    }

    /** A section of config.json as a typed value (a model config record). */
    public <T> T section(String name, Class<T> type) {
        if (!config.has(name)) {
            throw new InvalidSettingException("{model} " + runDir + " is not a run with a '" + name
                    + "' section in its config.json");
        }
        try {
            return Json.MAPPER.treeToValue(config.get(name), type);
        } catch (IOException e) {
            throw new InvalidSettingException("{model} " + runDir + ": unreadable model config: " + e.getMessage(), e);
        }
    }

    /**
     * The checkpoint's training state, loaded again (on an executor) and checksum-verified. {@code conf}
     * is the driver's, shipped: a plain {@code new Configuration()} on an executor lacks the session's
     * spark.hadoop.* settings (an S3A endpoint and keys), and the store would be asked as AWS.
     */
    public static TrainingState loadState(String runDir, int round, Configuration conf) {
        return RunDirectory.existing(runDir, conf).checkpoints().load(round).state();
    }

    /** The run directory's last path element. */
    public static String shortName(String runDir) {
        String trimmed = runDir.endsWith("/") ? runDir.substring(0, runDir.length() - 1) : runDir;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
