package io.atelier.common.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Output paths built from input data (archive entry names, origins, labels) stay inside their
 * output directory: a name can never climb out of it, be absolute, or carry control characters.
 */
public final class SafePaths {
    private SafePaths() {
    }

    /**
     * {@code relative} as a path that stays below the directory it is resolved against: separators
     * of either kind split it, empty and {@code .} segments are dropped, a {@code ..} segment becomes
     * {@code __}, control characters become {@code _}. Never empty.
     */
    public static String confined(String relative) {
        List<String> parts = new ArrayList<>();
        for (String segment : relative.split("[/\\\\]")) {
            String s = segment.replaceAll("\\p{Cntrl}", "_");
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            parts.add(s.equals("..") ? "__" : s);
        }
        return parts.isEmpty() ? "_" : String.join("/", parts);
    }

    /** One path segment (a folder or file name) from free text such as a label name. */
    public static String segment(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]+", "_");
        return s.isEmpty() || s.chars().allMatch(ch -> ch == '.') ? "_" + s : s;
    }
}
