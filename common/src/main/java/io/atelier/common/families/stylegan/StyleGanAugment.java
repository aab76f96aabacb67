package io.atelier.common.families.stylegan;

import io.atelier.common.families.stylegan.augment.AdaController;

import io.atelier.common.io.InvalidSettingException;
import java.io.Serializable;
import java.util.List;

/**
 * How the discriminator's inputs are augmented ({@code --augment}): {@value #ADA} steers p from
 * r_t = E[sign(D(real))] once per round (p starts at {@code p} and lives in the training state),
 * {@value #FIXED} augments with {@code p} throughout, {@value #OFF} shows D the images as they are.
 *
 * @param mode   {@value #ADA}, {@value #FIXED} or {@value #OFF}
 * @param p      the fixed probability, or ADA's starting one; 0 when off
 * @param target ADA's target for r_t (NVlabs: 0.6)
 * @param kimg   thousands of images for ADA's p to move by 1 (NVlabs: 500)
 */
public record StyleGanAugment(String mode, double p, double target, double kimg) implements Serializable {
    public static final String ADA = "ada";
    public static final String FIXED = "fixed";
    public static final String OFF = "off";
    /** No augmentation: what a config written before ADA existed means. */
    public static final StyleGanAugment NONE = new StyleGanAugment(OFF, 0, AdaController.DEFAULT_TARGET,
            AdaController.DEFAULT_IMAGES_PER_UNIT / 1000.0);

    public StyleGanAugment {
        if (!List.of(ADA, FIXED, OFF).contains(mode)) {
            throw new InvalidSettingException("{augment} " + mode + ": use ada (adaptive p), fixed (with {augmentP} P) or off");
        }
        if (!(p >= 0 && p <= 1)) {
            throw new InvalidSettingException("{augmentP} must be in [0, 1], got " + p);
        }
        if (OFF.equals(mode) && p != 0) {
            throw new InvalidSettingException("{augmentP} " + p + " has no effect with {augment} off: drop it, or use"
                    + " {augment} fixed or ada");
        }
        if (!(target > 0 && target < 1)) {
            throw new InvalidSettingException("{adaTarget} must be in (0, 1), got " + target);
        }
        if (!(kimg > 0 && kimg * 1000 >= 1 && Double.isFinite(kimg))) {
            throw new InvalidSettingException("{adaKimg} must be at least 0.001 (one image), got " + kimg);
        }
    }

    public boolean enabled() {
        return !OFF.equals(mode);
    }

    /** Whether p is steered (and kept in the training state). */
    public boolean adaptive() {
        return ADA.equals(mode);
    }

    public AdaController controller() {
        return new AdaController(target, Math.round(kimg * 1000));
    }
}
