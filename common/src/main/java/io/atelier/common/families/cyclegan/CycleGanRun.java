package io.atelier.common.families.cyclegan;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.families.Families;
import io.atelier.common.families.RunProvenance;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.runs.TrainedRun;
import org.apache.hadoop.conf.Configuration;

import java.util.List;
import java.util.Map;

/**
 * A CycleGAN run's latest complete checkpoint as the translate job needs it: small and
 * serialisable (config, where the weights are, their checksum), able to build a
 * {@link CycleGanTranslator} on an executor.
 *
 * @param domainDatasets the datasets of a run trained on two (--data-a, --data-b), A first; empty
 *                       for a run whose domains are label sets of one dataset
 */
public record CycleGanRun(String runDir, CycleGanConfig config, int round, String checkpointSha256,
                          List<String> domainDatasets) implements CycleGanTranslations.TranslatorSource {
    /** How translations are made, for provenance. */
    static final String SAMPLER = "generator of the chosen direction, instance norm per image";

    public static CycleGanRun open(String runDir, Configuration conf) {
        TrainedRun run = TrainedRun.open(runDir, conf);
        String family = Families.familyOf(run.config());
        if (!CycleGanFamily.ID.equals(family)) {
            throw new InvalidSettingException("{model} " + runDir + " is a " + (family.isEmpty() ? "non-CycleGAN" : family)
                    + " run; translate needs a run of train-gan {model} cyclegan");
        }
        return new CycleGanRun(runDir, run.section(CycleGanFamily.CONFIG_MODEL, CycleGanConfig.class), run.round(),
                run.checkpointSha256(), domainDatasets(run));
    }

    /** A run whose domains are label sets of one dataset. */
    public CycleGanRun(String runDir, CycleGanConfig config, int round, String checkpointSha256) {
        this(runDir, config, round, checkpointSha256, List.of());
    }

    /** Builds the generators and loads the checkpoint (checksum-verified), e.g. once per executor. */
    @Override
    public CycleGanTranslator translator(int maxRows) {
        return translator(maxRows, new Configuration());
    }

    /** As {@link #translator(int)}, reading the checkpoint with the job's Hadoop settings. */
    public CycleGanTranslator translator(int maxRows, Configuration conf) {
        CycleGanTranslator t = new CycleGanTranslator(config, maxRows);
        t.load(TrainedRun.loadState(runDir, round, conf));
        return t;
    }

    private static List<String> domainDatasets(TrainedRun run) {
        JsonNode settings = run.config().path("settings");
        JsonNode a = settings.path("dataA");
        JsonNode b = settings.path("dataB");
        return a.isTextual() && b.isTextual() ? List.of(a.asText(), b.asText()) : List.of();
    }

    /** Label names of the domain a direction maps to (what its outputs should look like). */
    public List<String> targetDomain(CycleGanTranslator.Direction direction) {
        return direction == CycleGanTranslator.Direction.A_TO_B ? config.domainB() : config.domainA();
    }

    public Map<String, Object> provenance(CycleGanTranslator.Direction direction) {
        Map<String, Object> p = new java.util.LinkedHashMap<>(RunProvenance.of(runDir, CycleGanFamily.ID, round,
                checkpointSha256, SAMPLER));
        p.put("direction", direction.id());
        return p;
    }
}
