package io.atelier.common.data.ingest;

import io.atelier.common.io.InvalidSettingException;
import java.util.Locale;

/** Where labels come from. */
public enum LabelSource {
    /** The first sub-folder under the input root (image-folder layout), or the source's own labels. */
    FOLDER,
    /** No labels at all. */
    NONE;

    public static LabelSource parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("unknown {labels} '" + name + "': use folder or none");
        }
    }

    /** The label of a file at {@code relative} (slash-separated, under the input root). */
    String labelOf(String relative) {
        if (this == NONE) {
            return null;
        }
        int slash = relative.indexOf('/');
        return slash > 0 ? relative.substring(0, slash) : null;
    }
}
