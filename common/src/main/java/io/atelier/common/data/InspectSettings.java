package io.atelier.common.data;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

/** Everything {@code atelier inspect} takes besides the dataset itself, with its help and defaults. */
public record InspectSettings(
        @Setting("Print the manifest as JSON.") boolean json,
        @Setting(value = "Sample grid to write (default: DIR-grid.png).", label = "FILE.png") String grid,
        @Setting(value = "Images per label row.", label = "N") int perLabel) {
    public static final InspectSettings DEFAULTS = new InspectSettings(false, null, 10);

    public InspectSettings {
        if (perLabel < 1) {
            throw new InvalidSettingException("{perLabel} " + perLabel + ": give at least 1 image per label row");
        }
    }
}
