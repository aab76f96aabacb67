package io.atelier.common.families.stylegan.augment;

/**
 * ADA's feedback on the augmentation probability p, as NVlabs tunes it: the overfitting
 * heuristic r_t = E[sign(D(real))] is steered towards a target (0.6) by moving p by
 * {@code sign(r_t - target) * images / imagesPerUnit}, so p can travel from 0 to 1 in 500k images,
 * and p stays in [0, 1]. Under parameter averaging, p is part of the averaged state and the
 * caller feeds the round's averaged r_t and the images all workers saw since the last call.
 */
public final class AdaController {
    public static final double DEFAULT_TARGET = 0.6;
    public static final long DEFAULT_IMAGES_PER_UNIT = 500_000;

    private final double target;
    private final long imagesPerUnit;

    public AdaController() {
        this(DEFAULT_TARGET, DEFAULT_IMAGES_PER_UNIT);
    }

    public AdaController(double target, long imagesPerUnit) {
        if (!(target > 0 && target < 1)) {
            throw new IllegalArgumentException("ADA target for r_t must be in (0, 1), got " + target);
        }
        if (imagesPerUnit < 1) {
            throw new IllegalArgumentException("ADA speed: images for p to move by 1 must be positive, got " + imagesPerUnit);
        }
        this.target = target;
        this.imagesPerUnit = imagesPerUnit;
    }

    public double target() {
        return target;
    }

    /** The next p from the current p, the measured r_t and the images seen since the last adjustment. */
    public double next(double p, double rt, long imagesSinceLast) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("ADA p must be in [0, 1], got " + p);
        }
        if (!Double.isFinite(rt) || rt < -1 || rt > 1) {
            throw new IllegalArgumentException("r_t = E[sign(D(real))] must be in [-1, 1], got " + rt);
        }
        if (imagesSinceLast < 0) {
            throw new IllegalArgumentException("images since the last ADA adjustment must be >= 0, got " + imagesSinceLast);
        }
        double moved = p + Math.signum(rt - target) * imagesSinceLast / (double) imagesPerUnit;
        return Math.min(1, Math.max(0, moved));
    }
}
