package io.atelier.common.data.ingest;

import io.atelier.common.io.InvalidSettingException;
import java.util.Locale;

/** What the seeded train/test hash is taken over. */
public enum SplitBy {
    /** The image's content id: equal images share a split (the default). */
    CONTENT,
    /**
     * The file's name without its folders ({@code google/2764.png} -> {@code 2764.png}): paired
     * sets that name the same subject alike hold the same names out on every side.
     */
    NAME;

    public static SplitBy parse(String name) {
        if (name == null) {
            throw new InvalidSettingException("{splitBy}: give content or name");
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("unknown {splitBy} '" + name + "': use content or name");
        }
    }

    String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The key the split hash reads for an image of this origin and content id. */
    String keyOf(String origin, String id) {
        if (this == CONTENT) {
            return id;
        }
        // Folder paths use '/', archive entries "archive!/dir/x.png"; IDX records keep "file#index".
        return origin.substring(origin.lastIndexOf('/') + 1);
    }
}
