package io.atelier.common.scoring;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything {@code atelier prompt-fidelity} takes, with its help: the command's flags are
 * generated from these components and {@link #DEFAULTS}, and a JSON config file fills the same record.
 */
public record PromptFidelitySettings(
        @Setting(value = "Conditional train-diffusion run to sample from (its EMA weights, latest checkpoint).",
                label = "RUN") String model,
        @Setting(value = "JSON file of prompts: {\"categories\": {\"PROMPT\": \"CATEGORY\", ...}, \"attributes\": "
                + "{\"GROUP\": [\"PROMPT\", ...], ...}}.", label = "FILE.json") String prompts,
        @Setting(value = "Captioned dataset whose images captioned with an attribute prompt's words give that "
                + "prompt's reference colour (every split: an attribute's few images lie in one).", label = "DATASET")
        String real,
        @Setting(value = "Classifier (a model file from `atelier train-classifier`) whose classes include every "
                + "category; without it the categories are not scored.", label = "MODEL") String classifier,
        @Setting(value = "Samples per prompt and guidance.", label = "N") int count,
        @Setting(value = "Classifier-free guidance values to compare, comma-separated.", label = "G[,G...]")
        String guidance,
        @Setting(value = "DDIM steps.", label = "S") int steps,
        @Setting(value = "Sampling seed: sample i of every prompt starts from the same noise. Choose the guidance "
                + "with one seed and report the chosen value with another.", label = "S") long seed,
        @Setting(value = "Report to write.", label = "FILE.json") String out) {
    public static final PromptFidelitySettings DEFAULTS = new PromptFidelitySettings(null, null, null, null, 100,
            "2", 50, 0L, null);

    /** Checks what has no default and the values' ranges. */
    public void requireGiven() {
        if (model == null || model.isBlank()) {
            throw new InvalidSettingException("{model}: give the conditional train-diffusion run to sample from");
        }
        if (prompts == null || prompts.isBlank()) {
            throw new InvalidSettingException("{prompts}: give the JSON file of prompts to score");
        }
        if (out == null || out.isBlank()) {
            throw new InvalidSettingException("{out}: give the report file to write");
        }
        if (count < 1) {
            throw new InvalidSettingException("{count} " + count + ": give at least 1 sample per prompt");
        }
        if (steps < 1) {
            throw new InvalidSettingException("{steps} " + steps + ": give at least 1 DDIM step");
        }
        guidanceValues();
    }

    /** The guidance values in the order given. */
    public List<Double> guidanceValues() {
        List<Double> out = new ArrayList<>();
        for (String part : (guidance == null ? "" : guidance).split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                double g = Double.parseDouble(part.trim());
                if (!(g >= 0) || Double.isInfinite(g)) {
                    throw new NumberFormatException();
                }
                out.add(g);
            } catch (NumberFormatException e) {
                throw new InvalidSettingException("{guidance} " + guidance + ": '" + part.trim()
                        + "' is not a guidance value (a number >= 0, e.g. 1,2,3,5)");
            }
        }
        if (out.isEmpty()) {
            throw new InvalidSettingException("{guidance}: give at least one guidance value, e.g. 2 or 1,2,3,5");
        }
        return out;
    }
}
