package io.atelier.common.data.ingest;

import io.atelier.common.io.Json;
import io.atelier.common.io.Sha256;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one --input held when it was read, from its listing alone (no file is opened): every file's
 * relative path, size and modification time (one file: its own), and the links not followed, as
 * a count, a byte total and a SHA-256 of the listing. Recorded in the manifest so that a re-run
 * can tell "same input" from "changed input" without decoding an image. An archive is described
 * by its size and time, not its entries (listing a tar.gz means decompressing all of it).
 */
final class InputFingerprint {
    static final String PROVENANCE_KEY = "inputListing";

    private final String input;
    private final MessageDigest md = Sha256.digest();
    private long files;
    private long bytes;

    InputFingerprint(String input) {
        this.input = input;
    }

    void file(String relative, long size, long modified) {
        files++;
        bytes += size;
        update(relative + "\t" + size + "\t" + modified + "\n");
    }

    void skipped(String relative, String reason) {
        update(relative + "\tskipped\t" + reason + "\n");
    }

    private void update(String line) {
        md.update(line.getBytes(StandardCharsets.UTF_8));
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", input);
        m.put("files", files);
        m.put("bytes", bytes);
        m.put("sha256", HexFormat.of().formatHex(md.digest()));
        return m;
    }

    static boolean same(Object recorded, List<Map<String, Object>> now) {
        return Json.line(recorded).equals(Json.line(now));
    }

    /** "photos: 7 files, 3120 bytes then; 8 files, 3561 bytes now", for the inputs that differ. */
    static String differences(Object recorded, List<Map<String, Object>> now) {
        List<?> then = recorded instanceof List<?> l ? l : List.of();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < now.size(); i++) {
            Map<?, ?> was = i < then.size() && then.get(i) instanceof Map<?, ?> m ? m : Map.of();
            Map<String, Object> is = now.get(i);
            if (Json.line(was).equals(Json.line(is))) {
                continue;
            }
            String change = Objects.equals(String.valueOf(was.get("files")), String.valueOf(is.get("files")))
                    && Objects.equals(String.valueOf(was.get("bytes")), String.valueOf(is.get("bytes")))
                    ? "as many files and bytes as then, but a name or modification time changed"
                    : was.get("files") + " files, " + was.get("bytes") + " bytes then; "
                    + is.get("files") + " files, " + is.get("bytes") + " bytes now";
            out.append(out.length() == 0 ? "" : "; ").append(is.get("input")).append(": ").append(change);
        }
        return out.length() == 0 ? "the inputs differ" : out.toString();
    }
}
