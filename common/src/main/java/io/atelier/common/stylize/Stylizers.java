package io.atelier.common.stylize;

import io.atelier.common.exec.ExecutorCache;
import io.atelier.common.style.ImageStylizer;

/**
 * One stylizer per executor JVM and style (with its parameters), built by the first task that
 * needs it and reused by every later task and run there: networks are loaded once, not per task.
 * Stylizers are shared by tasks running at once (the fast network runs one call at a time).
 */
final class Stylizers {
    /** Styles kept per JVM: more than a run's styles would rebuild them image after image. */
    static final int STYLES = 32;
    private static final ExecutorCache<String, ImageStylizer> CACHE = new ExecutorCache<>(STYLES);

    private Stylizers() {
    }

    static ImageStylizer get(StyleSpec spec) {
        return CACHE.get(spec.key(), k -> spec.build());
    }

    /** Stylizers this JVM has built (tests check that tasks share them). */
    static int builds() {
        return CACHE.builds();
    }
}
