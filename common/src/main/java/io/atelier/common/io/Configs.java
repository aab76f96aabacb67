package io.atelier.common.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * Resolves a typed config: the record's defaults, then a JSON config file, then command-line
 * flags, each overriding the one before. Unknown keys in a file are an error that lists the
 * known ones, so a typo never silently falls back to a default.
 */
public final class Configs {
    private Configs() {
    }

    /**
     * @param file  a JSON object file (any Hadoop path), or null
     * @param flags values given on the command line, by field name; null values are "not given"
     */
    public static <T> T resolve(Class<T> type, T defaults, String file, Map<String, Object> flags) {
        ObjectNode merged = Json.MAPPER.valueToTree(defaults);
        if (file != null) {
            JsonNode fromFile = read(file);
            if (!fromFile.isObject()) {
                throw new IllegalArgumentException("--config " + file + ": expected a JSON object of settings");
            }
            Iterator<Map.Entry<String, JsonNode>> fields = fromFile.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                requireKnown(merged, f.getKey(), "--config " + file);
                merged.set(f.getKey(), f.getValue());
            }
        }
        flags.forEach((key, value) -> {
            if (value != null) {
                requireKnown(merged, key, "flag");
                merged.set(key, Json.MAPPER.valueToTree(value));
            }
        });
        try {
            return Json.MAPPER.treeToValue(merged, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            if (e.getCause() instanceof IllegalArgumentException invalid) {
                throw new IllegalArgumentException(invalid.getMessage(), e); // the record's own check says it best
            }
            throw new IllegalArgumentException("invalid settings" + (file == null ? "" : " (with --config " + file + ")")
                    + ": " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid settings: " + e.getMessage(), e);
        }
    }

    private static void requireKnown(ObjectNode known, String key, String where) {
        if (!known.has(key)) {
            TreeSet<String> names = new TreeSet<>();
            known.fieldNames().forEachRemaining(names::add);
            throw new IllegalArgumentException(where + ": unknown setting '" + key + "'; known settings: " + names);
        }
    }

    private static JsonNode read(String file) {
        try {
            return Json.MAPPER.readTree(HadoopFiles.readAll(new Path(file), new Configuration()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--config " + file + ": cannot read it as JSON: " + e.getMessage(), e);
        }
    }
}
