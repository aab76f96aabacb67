package io.atelier.common.families.stylegan.augment;

import io.atelier.common.nn.Rng;
import io.atelier.common.train.Seeds;

import java.util.EnumSet;
import java.util.Set;

/**
 * The random part of the pipeline for one batch: per image, which transforms apply and with
 * what parameters, composed as NVlabs does into one inverse affine map (output pixel to input
 * pixel) and one 4x4 colour matrix. Image i draws from its own stream {@code Seeds.derive(seed, i)},
 * always the same numbers in the same order whatever p and the enabled set are, so a seed fixes
 * the batch's augmentation, raising p only adds transforms, and a transform shown alone (the
 * figure) has the parameters it has in the full pipeline.
 *
 * <p>Distributions and the composition order are NVlabs' {@code bgc} defaults. Each transform's
 * gate is a uniform draw below p; rotation is drawn twice (before and after the anisotropic
 * scaling), each with probability {@code 1 - sqrt(1 - p)}, so an image is rotated at all with
 * probability p.
 */
public final class AugmentDraws {
    static final double XINT_MAX = 0.125;
    static final double SCALE_STD = 0.2;
    static final double ROTATE_MAX = 1.0;
    static final double ANISO_STD = 0.2;
    static final double XFRAC_STD = 0.125;
    static final double BRIGHTNESS_STD = 0.2;
    static final double CONTRAST_STD = 0.5;
    static final double HUE_MAX = 1.0;
    static final double SATURATION_STD = 1.0;
    private static final double[] IDENTITY3 = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    private static final double[] IDENTITY4 = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    private static final int T = Transform.values().length;

    private final int n;
    /** Per image, rows 0 and 1 of the 3x3 map taking output pixel (x, y, 1) to its source (x, y). */
    private final double[] geometry;
    /** Per image, rows 0 to 2 of the 4x4 colour matrix acting on (r, g, b, 1). */
    private final double[] colour;
    private final boolean[] applied;

    private AugmentDraws(int n) {
        this.n = n;
        this.geometry = new double[n * 6];
        this.colour = new double[n * 12];
        this.applied = new boolean[n * T];
    }

    /**
     * Draws the augmentation of n images of h x w pixels with probability p for each enabled
     * transform.
     */
    public static AugmentDraws draw(Set<Transform> enabled, int n, double p, long seed, int h, int w) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("augmentation probability p must be in [0, 1], got " + p);
        }
        if (n < 1 || h < 2 || w < 2) {
            throw new IllegalArgumentException("need at least one image of at least 2x2 pixels, got " + n + " of " + h + "x" + w);
        }
        Set<Transform> on = enabled.isEmpty() ? EnumSet.noneOf(Transform.class) : EnumSet.copyOf(enabled);
        AugmentDraws d = new AugmentDraws(n);
        for (int i = 0; i < n; i++) {
            d.drawImage(i, on, p, new Rng(Seeds.derive(seed, i)), h, w);
        }
        return d;
    }

    private void drawImage(int i, Set<Transform> on, double p, Rng r, int h, int w) {
        double[] g = IDENTITY3.clone();

        double u = r.nextDouble();
        int flip = r.nextInt(2);
        if (gate(i, Transform.XFLIP, on, u < p) && flip == 1) {
            g = mul3(g, new double[]{-1, 0, 0, 0, 1, 0, 0, 0, 1});
        }
        u = r.nextDouble();
        int quarter = r.nextInt(4);
        if (gate(i, Transform.ROTATE90, on, u < p) && quarter != 0) {
            // Exact cosines and sines of k * 90 degrees, so the blit stays a pixel permutation.
            int c = new int[]{1, 0, -1, 0}[quarter];
            int s = new int[]{0, 1, 0, -1}[quarter];
            g = mul3(g, rotation(c, s));
        }
        u = r.nextDouble();
        double tx = (r.nextDouble() * 2 - 1) * XINT_MAX;
        double ty = (r.nextDouble() * 2 - 1) * XINT_MAX;
        if (gate(i, Transform.XINT, on, u < p)) {
            // Math.rint rounds halves to even, as torch.round does.
            g = mul3(g, translation(-Math.rint(tx * w), -Math.rint(ty * h)));
        }
        u = r.nextDouble();
        double scale = StrictMath.pow(2, r.nextGaussian() * SCALE_STD);
        if (gate(i, Transform.SCALE, on, u < p)) {
            g = mul3(g, scaling(1 / scale, 1 / scale));
        }
        double pRotate = 1 - Math.sqrt(Math.max(1 - p, 0));
        double uPre = r.nextDouble();
        double pre = (r.nextDouble() * 2 - 1) * Math.PI * ROTATE_MAX;
        double uPost = r.nextDouble();
        double post = (r.nextDouble() * 2 - 1) * Math.PI * ROTATE_MAX;
        boolean rotatePre = on.contains(Transform.ROTATE) && uPre < pRotate;
        boolean rotatePost = on.contains(Transform.ROTATE) && uPost < pRotate;
        gate(i, Transform.ROTATE, on, rotatePre || rotatePost);
        if (rotatePre) {
            g = mul3(g, rotation(StrictMath.cos(pre), StrictMath.sin(pre)));
        }
        u = r.nextDouble();
        double aniso = StrictMath.pow(2, r.nextGaussian() * ANISO_STD);
        if (gate(i, Transform.ANISO, on, u < p)) {
            g = mul3(g, scaling(1 / aniso, aniso));
        }
        if (rotatePost) {
            g = mul3(g, rotation(StrictMath.cos(post), StrictMath.sin(post)));
        }
        u = r.nextDouble();
        double fx = r.nextGaussian() * XFRAC_STD;
        double fy = r.nextGaussian() * XFRAC_STD;
        if (gate(i, Transform.XFRAC, on, u < p)) {
            g = mul3(g, translation(-fx * w, -fy * h));
        }
        // The map above acts on coordinates centred on the image; shift it to pixel indices.
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        g = mul3(translation(cx, cy), mul3(g, translation(-cx, -cy)));
        System.arraycopy(g, 0, geometry, i * 6, 6);

        double[] c = IDENTITY4.clone();
        u = r.nextDouble();
        double b = r.nextGaussian() * BRIGHTNESS_STD;
        if (gate(i, Transform.BRIGHTNESS, on, u < p)) {
            c = mul4(new double[]{1, 0, 0, b, 0, 1, 0, b, 0, 0, 1, b, 0, 0, 0, 1}, c);
        }
        u = r.nextDouble();
        double k = StrictMath.pow(2, r.nextGaussian() * CONTRAST_STD);
        if (gate(i, Transform.CONTRAST, on, u < p)) {
            c = mul4(new double[]{k, 0, 0, 0, 0, k, 0, 0, 0, 0, k, 0, 0, 0, 0, 1}, c);
        }
        double[] vv = lumaOuter();
        u = r.nextDouble();
        int luma = r.nextInt(2);
        if (gate(i, Transform.LUMAFLIP, on, u < p) && luma == 1) {
            double[] m = IDENTITY4.clone();
            for (int e = 0; e < 16; e++) {
                m[e] -= 2 * vv[e];
            }
            c = mul4(m, c);
        }
        u = r.nextDouble();
        double hue = (r.nextDouble() * 2 - 1) * Math.PI * HUE_MAX;
        if (gate(i, Transform.HUE, on, u < p)) {
            c = mul4(lumaRotation(hue), c);
        }
        u = r.nextDouble();
        double sat = StrictMath.pow(2, r.nextGaussian() * SATURATION_STD);
        if (gate(i, Transform.SATURATION, on, u < p)) {
            double[] m = new double[16];
            for (int e = 0; e < 16; e++) {
                m[e] = vv[e] + (IDENTITY4[e] - vv[e]) * sat;
            }
            c = mul4(m, c);
        }
        System.arraycopy(c, 0, colour, i * 12, 12);
    }

    /** Records whether t applies to image i (enabled and its gate open) and returns it. */
    private boolean gate(int i, Transform t, Set<Transform> on, boolean open) {
        boolean a = on.contains(t) && open;
        applied[i * T + t.ordinal()] = a;
        return a;
    }

    public int size() {
        return n;
    }

    /** Whether t was applied to image i (a flip or luma flip applied may still draw "keep"). */
    public boolean applied(Transform t, int i) {
        return applied[i * T + t.ordinal()];
    }

    /** Image i's map from output pixel (x, y) to source: rows {a, b, c, d, e, f}, x' = ax + by + c, y' = dx + ey + f. */
    public double[] geometry(int i) {
        double[] out = new double[6];
        System.arraycopy(geometry, i * 6, out, 0, 6);
        return out;
    }

    /** Image i's colour map, rows 0 to 2 of the 4x4 matrix on (r, g, b, 1). */
    public double[] colour(int i) {
        double[] out = new double[12];
        System.arraycopy(colour, i * 12, out, 0, 12);
        return out;
    }

    /** True if no image moves a pixel (the resample can be skipped: it would copy exactly). */
    public boolean geometryIsIdentity() {
        for (int i = 0; i < n; i++) {
            for (int e = 0; e < 6; e++) {
                if (geometry[i * 6 + e] != IDENTITY3[e]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** True if no image changes colour. */
    public boolean colourIsIdentity() {
        for (int i = 0; i < n; i++) {
            for (int e = 0; e < 12; e++) {
                if (colour[i * 12 + e] != IDENTITY4[e]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Row {@code axis} (0: x, 1: y) of every image's map, as [n, 3] floats. */
    float[] geometryRows(int axis) {
        float[] out = new float[n * 3];
        for (int i = 0; i < n; i++) {
            for (int e = 0; e < 3; e++) {
                out[i * 3 + e] = (float) geometry[i * 6 + axis * 3 + e];
            }
        }
        return out;
    }

    /**
     * Every image's linear colour part for {@code channels} channels as [n, C, C] floats: the
     * 3x3 block for RGB; for one channel NVlabs' reduction, the mean over the three rows of the
     * row sums (what a grey pixel r = g = b becomes, averaged back to grey).
     */
    float[] colourMatrices(int channels) {
        float[] out = new float[n * channels * channels];
        for (int i = 0; i < n; i++) {
            int base = i * 12;
            if (channels == 3) {
                for (int row = 0; row < 3; row++) {
                    for (int col = 0; col < 3; col++) {
                        out[i * 9 + row * 3 + col] = (float) colour[base + row * 4 + col];
                    }
                }
            } else {
                double sum = 0;
                for (int row = 0; row < 3; row++) {
                    sum += colour[base + row * 4] + colour[base + row * 4 + 1] + colour[base + row * 4 + 2];
                }
                out[i] = (float) (sum / 3);
            }
        }
        return out;
    }

    /** Every image's colour offset for {@code channels} channels as [n, C] floats. */
    float[] colourOffsets(int channels) {
        float[] out = new float[n * channels];
        for (int i = 0; i < n; i++) {
            int base = i * 12;
            if (channels == 3) {
                for (int row = 0; row < 3; row++) {
                    out[i * 3 + row] = (float) colour[base + row * 4 + 3];
                }
            } else {
                out[i] = (float) ((colour[base + 3] + colour[base + 7] + colour[base + 11]) / 3);
            }
        }
        return out;
    }

    private static double[] rotation(double c, double s) {
        return new double[]{c, -s, 0, s, c, 0, 0, 0, 1};
    }

    private static double[] translation(double tx, double ty) {
        return new double[]{1, 0, tx, 0, 1, ty, 0, 0, 1};
    }

    private static double[] scaling(double sx, double sy) {
        return new double[]{sx, 0, 0, 0, sy, 0, 0, 0, 1};
    }

    /** v v^T for the luma axis v = (1, 1, 1, 0) / sqrt(3). */
    private static double[] lumaOuter() {
        double[] m = new double[16];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                m[row * 4 + col] = 1.0 / 3;
            }
        }
        return m;
    }

    /** Rotation by theta about the luma axis (Rodrigues' formula), embedded in 4x4. */
    private static double[] lumaRotation(double theta) {
        double a = 1 / Math.sqrt(3);
        double c = StrictMath.cos(theta);
        double s = StrictMath.sin(theta);
        double d = a * a * (1 - c);
        return new double[]{
                d + c, d - a * s, d + a * s, 0,
                d + a * s, d + c, d - a * s, 0,
                d - a * s, d + a * s, d + c, 0,
                0, 0, 0, 1};
    }

    private static double[] mul3(double[] a, double[] b) {
        return mul(a, b, 3);
    }

    private static double[] mul4(double[] a, double[] b) {
        return mul(a, b, 4);
    }

    private static double[] mul(double[] a, double[] b, int k) {
        double[] out = new double[k * k];
        for (int row = 0; row < k; row++) {
            for (int col = 0; col < k; col++) {
                double s = 0;
                for (int j = 0; j < k; j++) {
                    s += a[row * k + j] * b[j * k + col];
                }
                out[row * k + col] = s;
            }
        }
        return out;
    }
}
