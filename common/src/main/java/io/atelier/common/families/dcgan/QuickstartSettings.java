package io.atelier.common.families.dcgan;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

/** Everything {@code atelier quickstart} (ingest, inspect, a small DCGAN, generate) takes, with its help and defaults. */
public record QuickstartSettings(
        @Setting(value = "Vendored IDX files.", label = "DIR") String data,
        @Setting(value = "Where the dataset, run and generated data go.", label = "DIR") String out,
        @Setting(value = "Training rounds of 2 workers x 10 steps.", label = "R") int rounds,
        @Setting(value = "Images to generate.", label = "N") int count) {
    public static final QuickstartSettings DEFAULTS = new QuickstartSettings("data/fashion-mnist", "runs/quickstart", 120, 1000);

    public QuickstartSettings {
        if (rounds < 1) {
            throw new InvalidSettingException("{rounds} " + rounds + ": train at least 1 round");
        }
        if (count < 1) {
            throw new InvalidSettingException("{count} " + count + ": generate at least 1 image");
        }
    }
}
