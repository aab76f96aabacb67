package io.atelier.common.families.stylegan.augment;

import java.util.EnumSet;
import java.util.Set;

/**
 * The transforms of NVlabs' {@code bgc} pipeline, in the order they compose. Each is applied
 * to an image with probability p (rotation in two halves, see {@link AugmentDraws}).
 */
public enum Transform {
    /** Mirror left-right (half of the images it is applied to keep their orientation). */
    XFLIP(Group.BLIT),
    /** Rotate by a multiple of 90 degrees, uniform over the four. */
    ROTATE90(Group.BLIT),
    /** Translate by a whole number of pixels, up to 1/8 of the size on each axis. */
    XINT(Group.BLIT),
    /** Scale both axes by 2^N(0, 0.2^2). */
    SCALE(Group.GEOM),
    /** Rotate by an angle uniform in (-180, 180] degrees, before and after the anisotropic scaling. */
    ROTATE(Group.GEOM),
    /** Scale x by s and y by 1/s, s = 2^N(0, 0.2^2). */
    ANISO(Group.GEOM),
    /** Translate by N(0, 0.125^2) of the size on each axis, fractional pixels. */
    XFRAC(Group.GEOM),
    /** Add N(0, 0.2^2) to every channel. */
    BRIGHTNESS(Group.COLOR),
    /** Scale every channel about 0 by 2^N(0, 0.5^2). */
    CONTRAST(Group.COLOR),
    /** Reflect the colour about the plane orthogonal to the luma axis (half of the images). */
    LUMAFLIP(Group.COLOR),
    /** Rotate the colour about the luma axis by an angle uniform in (-180, 180] degrees. */
    HUE(Group.COLOR),
    /** Scale the colour's distance from the luma axis by 2^N(0, 1). */
    SATURATION(Group.COLOR);

    /** NVlabs' three groups: pixel blitting, general geometric transforms, colour transforms. */
    public enum Group { BLIT, GEOM, COLOR }

    private final Group group;

    Transform(Group group) {
        this.group = group;
    }

    public Group group() {
        return group;
    }

    /** All twelve: NVlabs' {@code bgc}, the pipeline their ADA uses by default. */
    public static Set<Transform> all() {
        return EnumSet.allOf(Transform.class);
    }

    /** The transforms of one group. */
    public static Set<Transform> of(Group group) {
        Set<Transform> out = EnumSet.noneOf(Transform.class);
        for (Transform t : values()) {
            if (t.group == group) {
                out.add(t);
            }
        }
        return out;
    }
}
