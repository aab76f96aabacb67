package io.atelier.common.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves a typed config: the record's defaults, then a JSON config file, then command-line
 * flags, each overriding the one before. Unknown keys in a file are an error that lists the
 * known ones, so a typo never silently falls back to a default.
 */
public final class Configs {
    /**
     * Reads settings without coercion: a count of 1.9, a count written "1" or a switch written 1
     * is an error naming the setting, not 1, 1 and true.
     */
    private static final ObjectMapper STRICT = strict();

    private Configs() {
    }

    private static ObjectMapper strict() {
        ObjectMapper m = Json.MAPPER.copy().disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        for (LogicalType type : new LogicalType[]{LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            for (CoercionInputShape shape : new CoercionInputShape[]{CoercionInputShape.String, CoercionInputShape.Integer,
                    CoercionInputShape.Float, CoercionInputShape.EmptyString}) {
                m.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
            }
        }
        // A whole number is a fine value for a rate or a probability.
        m.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
        m.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.Float, CoercionAction.TryConvert);
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
        return m;
    }

    /**
     * @param file  a JSON object file (any Hadoop path), or null
     * @param flags values given on the command line, by field name; null values are "not given"
     */
    public static <T> T resolve(Class<T> type, T defaults, String file, Map<String, Object> flags) {
        return resolve(type, defaults, file, flags, Set.of());
    }

    /**
     * As {@link #resolve(Class, Object, String, Map)} for one of several records that share a config
     * file (a trainer's settings and its FID-while-training settings).
     *
     * @param othersKeys the keys of the file's other records: skipped here, not unknown
     */
    public static <T> T resolve(Class<T> type, T defaults, String file, Map<String, Object> flags, Set<String> othersKeys) {
        ObjectNode merged = Json.MAPPER.valueToTree(defaults);
        if (file != null) {
            JsonNode fromFile = read(file);
            if (!fromFile.isObject()) {
                throw new InvalidSettingException("{config} " + file + ": expected a JSON object of settings");
            }
            Iterator<Map.Entry<String, JsonNode>> fields = fromFile.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (othersKeys.contains(f.getKey()) && !merged.has(f.getKey())) {
                    continue;
                }
                requireKnown(merged, othersKeys, f.getKey(), "{config} " + file);
                merged.set(f.getKey(), f.getValue());
            }
        }
        flags.forEach((key, value) -> {
            if (value != null) {
                requireKnown(merged, othersKeys, key, "flag");
                merged.set(key, Json.MAPPER.valueToTree(value));
            }
        });
        try {
            return STRICT.treeToValue(merged, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            if (e.getCause() instanceof InvalidSettingException invalid) {
                throw new InvalidSettingException(invalid.template(), e); // the record's own check says it best
            }
            if (e.getCause() instanceof IllegalArgumentException invalid) {
                throw new IllegalArgumentException(invalid.getMessage(), e);
            }
            String where = "invalid settings" + (file == null ? "" : " (with {config} " + file + ")");
            if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
                String key = mismatch.getPath().get(0).getFieldName();
                if (key != null && merged.has(key)) {
                    throw settingError(where + ": '" + key + "' must be " + expected(mismatch.getTargetType())
                            + ", got " + merged.get(key), e);
                }
            }
            throw settingError(where + ": " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid settings: " + e.getMessage(), e);
        }
    }

    /** What a setting of {@code type} is written as in JSON, for the one-line error. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        return switch (type.getName()) {
            case "int", "java.lang.Integer", "long", "java.lang.Long" -> "a whole number (" + type.getSimpleName() + ")";
            case "double", "java.lang.Double", "float", "java.lang.Float" -> "a number (" + type.getSimpleName() + ")";
            case "boolean", "java.lang.Boolean" -> "true or false";
            case "java.lang.String" -> "a string";
            case "java.util.List" -> "a list of strings";
            default -> "a " + type.getSimpleName();
        };
    }

    private static void requireKnown(ObjectNode known, Set<String> othersKeys, String key, String where) {
        if (!known.has(key)) {
            TreeSet<String> names = new TreeSet<>(othersKeys);
            known.fieldNames().forEachRemaining(names::add);
            throw settingError(where + ": unknown setting '" + key + "'; known settings: " + names, null);
        }
    }

    /** A message that names the config file is an invalid setting; one about flags alone is plain. */
    private static IllegalArgumentException settingError(String message, Throwable cause) {
        return message.contains("{config}") ? new InvalidSettingException(message, cause)
                : new IllegalArgumentException(message, cause);
    }

    private static JsonNode read(String file) {
        try {
            return Json.MAPPER.readTree(HadoopFiles.readAll(new Path(file), new Configuration()));
        } catch (IOException | RuntimeException e) {
            throw new InvalidSettingException("{config} " + file + ": cannot read it as JSON: " + e.getMessage(), e);
        }
    }
}
