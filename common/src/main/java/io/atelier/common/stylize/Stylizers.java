package io.atelier.common.stylize;

import io.atelier.common.style.ImageStylizer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One stylizer per executor JVM and style (with its parameters), built by the first task that
 * needs it and reused by every later task and run there: networks are loaded once, not per task.
 */
final class Stylizers {
    private static final Map<String, ImageStylizer> CACHE = new ConcurrentHashMap<>();

    private Stylizers() {
    }

    static ImageStylizer get(StyleSpec spec) {
        return CACHE.computeIfAbsent(spec.key(), k -> spec.build());
    }

    /** How many stylizers this JVM holds (tests check that tasks share them). */
    static int cached() {
        return CACHE.size();
    }
}
