package io.atelier.common.scoring;

import io.atelier.common.image.SparkImage;

/**
 * The colour an emoji-like picture shows: the mean RGB of its pixels that are not (nearly) white,
 * so the white ground that transparent pixels become at ingest does not pull every picture to
 * grey. The attribute-binding measure compares generated and real pictures by it.
 */
public final class MeanColour {
    /** A pixel whose three channels are all at least this (of 255) counts as ground. */
    public static final int WHITE = 240;

    private MeanColour() {
    }

    /** {r, g, b} in 0..255 over the non-white pixels of a stored RGB image, or null when all are white. */
    public static float[] of(SparkImage image) {
        if (image.nChannels() < 3) {
            throw new IllegalArgumentException("image " + image.origin() + " has " + image.nChannels()
                    + " channel(s); colours need RGB");
        }
        byte[] d = image.data();
        int c = image.nChannels();
        double r = 0;
        double g = 0;
        double b = 0;
        long n = 0;
        for (int p = 0; p + c <= d.length; p += c) {
            // stored order is BGR (BGRA for 4 channels)
            int bb = d[p] & 0xFF;
            int gg = d[p + 1] & 0xFF;
            int rr = d[p + 2] & 0xFF;
            if (rr >= WHITE && gg >= WHITE && bb >= WHITE) {
                continue;
            }
            r += rr;
            g += gg;
            b += bb;
            n++;
        }
        return n == 0 ? null : new float[]{(float) (r / n), (float) (g / n), (float) (b / n)};
    }

    /** Squared Euclidean distance of two colours. */
    static double distance2(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < 3; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    /** Index of the colour in {@code references} nearest {@code colour}, or -1 for a null colour. */
    static int nearest(float[] colour, java.util.List<float[]> references) {
        if (colour == null) {
            return -1;
        }
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int i = 0; i < references.size(); i++) {
            double d = distance2(colour, references.get(i));
            if (d < bestDistance) {
                bestDistance = d;
                best = i;
            }
        }
        return best;
    }
}
