package io.atelier.common.families;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.runs.TrainedRun;
import org.apache.hadoop.conf.Configuration;

import java.util.Collections;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every registered {@link ModelFamily}, by id. Families register through
 * {@link ServiceLoader}, so this package never imports a family: adding one is a new package and
 * one line in {@code META-INF/services}.
 */
public final class Families {
    /** Runs written before run directories recorded their family: the command that made them. */
    private static final Map<String, String> FAMILY_OF_COMMAND = Map.of("train-gan", "dcgan", "train-diffusion", "diffusion");

    private static volatile Map<String, ModelFamily> registered;

    private Families() {
    }

    /** Every family, by id in alphabetical order. */
    public static Map<String, ModelFamily> all() {
        Map<String, ModelFamily> r = registered;
        if (r == null) {
            Map<String, ModelFamily> found = new TreeMap<>();
            for (ModelFamily f : ServiceLoader.load(ModelFamily.class, Families.class.getClassLoader())) {
                ModelFamily before = found.putIfAbsent(f.id(), f);
                if (before != null) {
                    throw new IllegalStateException("two model families have the id '" + f.id() + "': "
                            + before.getClass().getName() + " and " + f.getClass().getName());
                }
            }
            registered = r = Collections.unmodifiableMap(found); // keeps the TreeMap's order
        }
        return r;
    }

    /** The family with this id; an unknown id is an error listing the known ones. */
    public static ModelFamily get(String id) {
        ModelFamily f = all().get(id);
        if (f == null) {
            throw new IllegalArgumentException("unknown model family '" + id + "'; available: " + String.join(", ", all().keySet()));
        }
        return f;
    }

    /** The family that trained an opened run, from its config.json. */
    public static ModelFamily of(TrainedRun run) {
        String id = familyOf(run.config());
        if (id.isEmpty()) {
            throw new InvalidSettingException("{model} " + run.runDir() + " records no model family in its config.json;"
                    + " generate samples runs of " + String.join(", ", all().keySet()));
        }
        return get(id);
    }

    /** The family id a config.json records, reading older runs by the command that made them. */
    public static String familyOf(com.fasterxml.jackson.databind.JsonNode config) {
        String family = config.path(FamilyTraining.CONFIG_FAMILY).asText("");
        if (!family.isEmpty()) {
            return family;
        }
        return FAMILY_OF_COMMAND.getOrDefault(config.path("command").asText(""), config.has("dcgan") ? "dcgan" : "");
    }

    /** Opens a run directory as the generator of the family that trained it. */
    public static GeneratorSource openRun(String runDir, Configuration conf, SamplingOptions options) {
        TrainedRun run = TrainedRun.open(runDir, conf);
        return of(run).openRun(run, options);
    }
}
