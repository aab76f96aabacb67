package io.atelier.jobs;

import io.atelier.common.io.Configs;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's flags generated from its settings record: one flag per component, named by the
 * component in kebab case ({@code localSteps} -> {@code --local-steps}), so a config file's keys
 * are the flags in camelCase, with the help of its {@link Setting} and the default taken from the
 * record's defaults. A {@code List<String>} component takes comma-separated values, as
 * often as given ({@code --layer a,b --layer c}), or with {@link Setting#arity} several values per
 * flag ({@code --input a b}). Values resolve as everywhere: defaults, then
 * {@code --config FILE}, then the flags given.
 */
final class SettingsOptions {
    private SettingsOptions() {
    }

    /** A command whose flags come from a settings record. */
    interface Command<T extends Record> {
        Class<T> settingsType();

        T defaults();

        /**
         * Records the command takes beside its own, with their defaults (a trainer's FID while
         * training): their flags join the command's, and one {@code --config} file holds the keys of all.
         */
        default List<Record> sections() {
            return List.of();
        }
    }

    /** Adds the flags of {@code command}'s record and of its sections to {@code spec}. */
    static <T extends Record> void addTo(CommandSpec spec, Command<T> command) {
        addTo(spec, command.settingsType(), command.defaults());
        command.sections().forEach(section -> addSection(spec, section));
    }

    private static <S extends Record> void addSection(CommandSpec spec, S section) {
        addTo(spec, typeOf(section), section);
    }

    @SuppressWarnings("unchecked")
    private static <S extends Record> Class<S> typeOf(S record) {
        return (Class<S>) record.getClass();
    }

    /** Adds the record's flags to {@code spec}; a component without {@link Setting} help is a programming error. */
    static <T extends Record> void addTo(CommandSpec spec, Class<T> type, T defaults) {
        for (RecordComponent c : type.getRecordComponents()) {
            Setting help = c.getAnnotation(Setting.class);
            if (help == null) {
                throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + " has no @Setting help");
            }
            Class<?> valueType = boxed(c.getType());
            Object byDefault = value(c, defaults);
            // A switch that is off, or an empty list, needs no default.
            boolean silent = byDefault == null || Boolean.FALSE.equals(byDefault)
                    || byDefault instanceof List<?> list && list.isEmpty();
            String description = flags(help.value()) + (silent ? "" : " (default: " + shown(byDefault) + ")");
            OptionSpec.Builder option = OptionSpec.builder(flag(c)).type(valueType).description(description);
            if (valueType == List.class) {
                requireStrings(type, c);
                option.auxiliaryTypes(String.class);
                if (help.arity().isEmpty()) {
                    option.splitRegex(",");
                } else {
                    option.arity(help.arity());
                }
            }
            if (valueType == Boolean.class) {
                option.arity("0").negatable(Boolean.TRUE.equals(byDefault));
            } else {
                option.paramLabel(help.label().isEmpty() ? c.getName().toUpperCase() : help.label());
            }
            spec.addOption(option.build());
        }
    }

    /** The settings: the record's defaults, then {@code configFile} (may be null), then the flags given. */
    static <T extends Record> T resolve(CommandSpec spec, Class<T> type, T defaults, String configFile) {
        return resolve(spec, type, defaults, configFile, Set.of());
    }

    /** {@code command}'s own settings, resolved as above; its sections' keys in the file are theirs. */
    static <T extends Record> T resolve(CommandSpec spec, Command<T> command, String configFile) {
        return resolve(spec, command.settingsType(), command.defaults(), configFile,
                keysOfOtherRecords(command, command.settingsType()));
    }

    /** One of {@code command}'s sections, from the same flags and file; the other records' keys are theirs. */
    static <S extends Record> S resolveSection(CommandSpec spec, Command<?> command, S section, String configFile) {
        return resolve(spec, typeOf(section), section, configFile, keysOfOtherRecords(command, section.getClass()));
    }

    /** The setting names of {@code command}'s records (its own and its sections) other than {@code type}. */
    private static Set<String> keysOfOtherRecords(Command<?> command, Class<?> type) {
        List<Class<?>> records = new java.util.ArrayList<>(List.of(command.settingsType()));
        command.sections().forEach(section -> records.add(section.getClass()));
        Set<String> keys = new HashSet<>();
        for (Class<?> record : records) {
            if (record != type) {
                for (RecordComponent c : record.getRecordComponents()) {
                    keys.add(c.getName());
                }
            }
        }
        return keys;
    }

    private static <T extends Record> T resolve(CommandSpec spec, Class<T> type, T defaults, String configFile,
                                                Set<String> othersKeys) {
        // Only the flags on the command line: an unmatched list option may hold an empty list, which
        // would otherwise override a list from the config file.
        ParseResult parsed = spec.commandLine() == null ? null : spec.commandLine().getParseResult();
        Map<String, Object> given = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            OptionSpec option = spec.findOption(flag(c));
            boolean matched = option != null && (parsed == null || parsed.hasMatchedOption(option));
            given.put(c.getName(), matched ? option.getValue() : null);
        }
        return Configs.resolve(type, defaults, configFile, given, othersKeys);
    }

    /**
     * The flag that sets {@code setting} on {@code spec}'s command: the flag generated from a
     * settings record's component, or an option declared on the command (or a mixin) by a field of
     * that name ({@code config} -> {@code --config}); a setting of another command (advice such as
     * "re-ingest with {@code testFraction} > 0") gets the flag that command generates for it.
     */
    static String flagOf(CommandSpec spec, String setting) {
        String generated = flag(setting);
        if (spec == null || spec.findOption(generated) != null) {
            return generated;
        }
        for (OptionSpec option : spec.options()) {
            if (option.userObject() instanceof Field field && field.getName().equals(setting)) {
                return option.longestName();
            }
        }
        return generated;
    }

    /** Help that names other settings in braces ({@code {testData}}), with their flags ({@code --test-data}). */
    static String flags(String help) {
        return InvalidSettingException.render(help, SettingsOptions::flag);
    }

    /** The flag of a setting: its name in kebab case. */
    static String flag(RecordComponent c) {
        return flag(c.getName());
    }

    private static void requireStrings(Class<?> type, RecordComponent c) {
        if (!(c.getGenericType() instanceof ParameterizedType p) || p.getActualTypeArguments()[0] != String.class) {
            throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + ": only List<String> settings are supported");
        }
    }

    /** {@code localSteps} -> {@code --local-steps}. */
    static String flag(String component) {
        return "--" + component.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Object value(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + record, e);
        }
    }

    private static String shown(Object value) {
        if (value instanceof Double d) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        if (value instanceof Boolean b) {
            return b ? "on" : "off";
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
        }
        return String.valueOf(value);
    }

    private static Class<?> boxed(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return switch (type.getName()) {
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "double" -> Double.class;
            case "float" -> Float.class;
            case "boolean" -> Boolean.class;
            default -> throw new IllegalArgumentException("unsupported setting type " + type);
        };
    }
}
