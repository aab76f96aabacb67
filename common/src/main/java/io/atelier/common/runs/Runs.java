package io.atelier.common.runs;

import io.atelier.common.diffusion.DiffusionRun;
import io.atelier.common.diffusion.DiffusionTraining;
import io.atelier.common.gan.GanRun;
import io.atelier.common.generate.GeneratorSource;
import io.atelier.common.generate.SamplingOptions;
import io.atelier.common.train.TrainedRun;
import org.apache.hadoop.conf.Configuration;

import java.util.List;

/** A run directory as the {@link GeneratorSource} of the family that trained it. */
public final class Runs {
    public static final List<String> COMMANDS = List.of("train-gan", DiffusionTraining.COMMAND);

    private Runs() {
    }

    /**
     * Opens {@code runDir} by the {@code command} in its config.json. Sampler options apply to
     * diffusion runs only; giving one for a GAN run is an error naming it.
     */
    public static GeneratorSource open(String runDir, Configuration conf, SamplingOptions options) {
        TrainedRun run = TrainedRun.open(runDir, conf);
        String command = run.command().isEmpty() && run.config().has("dcgan") ? "train-gan" : run.command();
        switch (command) {
            case "train-gan" -> {
                if (!options.given().isEmpty()) {
                    throw new IllegalArgumentException(String.join(", ", options.given()) + ": " + runDir
                            + " is a GAN run; sampler options apply to train-diffusion runs only");
                }
                return GanRun.of(run);
            }
            case DiffusionTraining.COMMAND -> {
                return DiffusionRun.of(run, options);
            }
            default -> throw new IllegalArgumentException("--model " + runDir + " was made by '" + command
                    + "'; generate samples runs of " + COMMANDS);
        }
    }
}
