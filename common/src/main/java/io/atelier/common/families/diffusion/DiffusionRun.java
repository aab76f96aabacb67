package io.atelier.common.families.diffusion;

import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.RunProvenance;
import io.atelier.common.families.SampleGenerator;
import io.atelier.common.families.SamplingOptions;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.runs.TrainedRun;
import io.atelier.common.runs.TrainingState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A train-diffusion run as a generator: its model config from config.json, the EMA weights of its
 * latest complete checkpoint (loaded and checksum-verified on each executor), and how to sample:
 * DDPM or DDIM, guidance, and optionally a prompt that conditions every sample.
 *
 * @param prompt the prompt's text, or null; when given it conditions every sample (labels are not used), and
 *               an empty prompt makes every sample unconditional
 */
public record DiffusionRun(String runDir, DiffusionConfig config, List<String> labels, int round, String checkpointSha256,
                           DiffusionSampler.Settings sampling, String prompt) implements GeneratorSource {
    @Override
    public int channels() {
        return config.channels();
    }

    @Override
    public int size() {
        return config.imageSize();
    }

    /** Samples per native batch of the sampler (guided sampling runs two rows per sample). */
    public static final int MAX_ROWS = 64;
    private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;

    public static DiffusionRun of(TrainedRun run, SamplingOptions options) {
        DiffusionConfig config = run.section(DiffusionFamily.CONFIG_MODEL, DiffusionConfig.class);
        List<String> labels = new ArrayList<>();
        if (config.conditional()) {
            run.config().path(DiffusionFamily.CONFIG_LABELS).forEach(n -> labels.add(n.asText()));
        }
        DiffusionSampler.Settings d = DiffusionSampler.Settings.DEFAULT;
        DiffusionSampler.Settings settings = new DiffusionSampler.Settings(
                options.sampler() == null ? d.method() : DiffusionSampler.Method.parse(options.sampler()),
                options.steps() == null ? d.steps() : options.steps(),
                options.eta() == null ? d.eta() : options.eta(),
                options.guidance() == null ? d.guidance() : options.guidance());
        if (settings.steps() > config.timesteps()) {
            throw new InvalidSettingException("{steps} " + settings.steps() + ": the model has " + config.timesteps()
                    + " timesteps");
        }
        if (options.prompt() != null) {
            if (!config.conditional()) {
                throw new InvalidSettingException("{prompt}: model " + run.runDir() + " is unconditional; train it with"
                        + " {conditional} to use prompts");
            }
            // An unknown word, or too many, fails here, on the driver.
            if (config.encodePrompt(config.vocabulary(), options.prompt()) == null) {
                System.err.println("--prompt is empty: sampling unconditionally (no caption, no guidance)");
            }
        }
        return new DiffusionRun(run.runDir(), config, List.copyOf(labels), run.round(), run.checkpointSha256(), settings,
                options.prompt());
    }

    @Override
    public SampleGenerator open(org.apache.hadoop.conf.Configuration conf) {
        TrainingState state = TrainedRun.loadState(runDir, round, conf);
        return generator(config, labels, state.get(DiffusionTrainer.EMA), sampling, prompt, name());
    }

    /**
     * Images from EMA weights {@code weights}: each sample conditioned on {@code prompt} when one is
     * given, else on its label's caption (unconditional for label -1). Progress goes to stderr.
     */
    static SampleGenerator generator(DiffusionConfig config, List<String> labels, float[] weights,
                                     DiffusionSampler.Settings sampling, String prompt, String what) {
        DiffusionSampler sampler = new DiffusionSampler(config, MAX_ROWS);
        Vocabulary vocabulary = config.conditional() ? config.vocabulary() : null;
        int[] promptWords = prompt == null ? null : config.encodePrompt(vocabulary, prompt);
        return (seed, indices, labelsOf) -> {
            int[][] conditions = new int[indices.length][];
            for (int i = 0; i < indices.length; i++) {
                if (prompt != null) {
                    conditions[i] = promptWords; // null for an empty prompt: unconditional
                } else if (labelsOf[i] >= 0) {
                    if (vocabulary == null || labelsOf[i] >= labels.size()) {
                        throw new IllegalArgumentException("sample " + indices[i] + ": label " + labelsOf[i]
                                + " outside the model's " + labels.size() + " classes");
                    }
                    conditions[i] = config.labelCondition(vocabulary, labelsOf[i], labels.get(labelsOf[i]));
                }
            }
            long[] last = {System.nanoTime()};
            return sampler.sample(weights, seed, indices, conditions, sampling, (done, total, images) -> {
                long now = System.nanoTime();
                if (now - last[0] >= PROGRESS_EVERY_NANOS || (done == total && total >= 100)) {
                    last[0] = now;
                    System.err.printf("%s: samples %d..%d, step %d/%d%n", what, indices[0], indices[indices.length - 1],
                            done, total);
                }
            });
        };
    }

    @Override
    public List<String> labelNames() {
        return labels;
    }

    @Override
    public Map<String, Object> provenance() {
        Map<String, Object> p = RunProvenance.of(runDir, DiffusionFamily.ID, round, checkpointSha256,
                "EMA weights, " + sampling.describe());
        p.put("schedule", config.schedule().name().toLowerCase(java.util.Locale.ROOT) + ", T=" + config.timesteps());
        if (prompt != null) {
            p.put("prompt", prompt);
            if (Vocabulary.split(prompt).isEmpty()) {
                p.put("condition", "none: an empty prompt samples unconditionally");
            }
        }
        return p;
    }

    @Override
    public String name() {
        return "diffusion:" + TrainedRun.shortName(runDir) + "@" + round;
    }
}
