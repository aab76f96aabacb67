package io.atelier.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions of Atelier and the libraries that decide its numbers, for provenance records. */
public final class Versions {
    private static final Properties PROPS = load();

    private Versions() {
    }

    public static String atelier() {
        return PROPS.getProperty("version", "unknown");
    }

    /**
     * The git commit the build was made from, with {@code -dirty} appended when the working tree
     * had changes (as {@code git describe --dirty} marks them); "unknown" for a build made outside
     * a git checkout or without git.
     */
    public static String commit() {
        String commit = PROPS.getProperty("commit", "");
        if (!commit.matches("[0-9a-f]{40}")) {
            return "unknown";
        }
        return "true".equals(PROPS.getProperty("commitDirty")) ? commit + "-dirty" : commit;
    }

    public static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("atelier", atelier());
        m.put("spark", PROPS.getProperty("spark", "unknown"));
        m.put("dl4j", PROPS.getProperty("dl4j", "unknown"));
        m.put("java", System.getProperty("java.version"));
        return m;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
