package io.atelier.common.scoring;

import io.atelier.common.families.cyclegan.CycleGanTranslator;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

/**
 * Everything {@code atelier evaluate} takes, with its help: the command's flags are generated from
 * these components and {@link #DEFAULTS}, and a JSON config file fills the same record.
 */
public record EvaluateSettings(
        @Setting(value = "Real dataset. For a CycleGAN run trained on two datasets ({dataA}, {dataB}), leave it off: "
                + "the run's own datasets are its domains.", label = "DATASET") String real,
        @Setting(value = "Dataset to score, or a train-gan or train-diffusion run: {count} samples are generated from it "
                + "with generate's code path (seed {seed}, every class when conditional) into FILE.json's sibling "
                + "FILE.samples. A CycleGAN run (train-gan {model} cyclegan) is scored as a translation instead: "
                + "up to {count} images of {split}'s source domain translated, against its target domain.",
                label = "DATASET|RUN") String fake,
        @Setting(value = "For a CycleGAN {fake}: the generator to score, a2b (domain A to B) or b2a (default: "
                + TranslationScores.DEFAULT_DIRECTION + ").",
                label = "a2b|b2a") String direction,
        @Setting(value = "For a CycleGAN {fake}: the classifier (a model file from `atelier train-classifier`) that says "
                + "how many images look like the target domain; skipped when it does not know the target's labels.",
                label = "MODEL") String classifier,
        @Setting(value = FeatureChoice.HELP, label = "MODEL|mobilenet_v2|inception_v3") String features,
        @Setting(value = "Split of {real} to compare with; the floor uses the other. For a CycleGAN "
                + "{fake}: the split both domains' images come from.", label = "SPLIT") String split,
        @Setting(value = "Split of {fake} (default: all rows).", label = "SPLIT") String fakeSplit,
        @Setting(value = "Images per side at most; all samples use the smallest available.", label = "N") long count,
        @Setting(value = "Sampling and KID subset seed.", label = "S") long seed,
        @Setting(value = "Feature vectors kept per side for KID and precision/recall.", label = "N") int reservoir,
        @Setting(value = "Report to write.", label = "FILE.json") String out) {
    public static final EvaluateSettings DEFAULTS = new EvaluateSettings(null, null, null, FeatureChoice.DEFAULT,
            FeatureChoice.DEFAULT, "test", null, 10_000L, 42L, 2000, null);

    /**
     * Checks what has no default (--fake, the report file) and the direction's spelling; --real is
     * checked by the scorer, as a CycleGAN run of two datasets needs none.
     */
    public void requireGiven() {
        if (fake == null || fake.isBlank()) {
            throw new InvalidSettingException("{fake}: give the dataset or run to score");
        }
        if (out == null || out.isBlank()) {
            throw new InvalidSettingException("{out}: give the report file to write");
        }
        if (direction != null) {
            CycleGanTranslator.Direction.of(direction);
        }
    }

    /** For everything but a CycleGAN run of two datasets: --real names the real data. */
    public void requireReal() {
        if (real == null || real.isBlank()) {
            throw new InvalidSettingException("{real}: give the real dataset to compare {fake} " + fake + " with");
        }
    }
}
