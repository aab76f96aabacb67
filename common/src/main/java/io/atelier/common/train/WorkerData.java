package io.atelier.common.train;

import java.io.Serializable;

/**
 * A worker's share of the training split, decoded once into a compact form that stays cached on
 * its executor across rounds: pixels as unsigned bytes, NCHW, RGB order, plus labels (-1 when
 * unlabelled). Convert to [-1, 1] floats per minibatch with {@link #batch}.
 */
public record WorkerData(int worker, int count, int channels, int height, int width, byte[] pixels, int[] labels)
        implements Serializable {

    public WorkerData {
        long expected = (long) count * channels * height * width;
        if (pixels.length != expected || labels.length != count) {
            throw new IllegalArgumentException("worker " + worker + ": " + count + " images of " + channels + "x"
                    + height + "x" + width + " need " + expected + " bytes and " + count + " labels, got "
                    + pixels.length + " and " + labels.length);
        }
    }

    public int imageSize() {
        return channels * height * width;
    }

    /** Fills {@code out} (length indices.length * imageSize) with images in [-1, 1]. */
    public void batch(int[] indices, float[] out, int[] labelsOut) {
        int size = imageSize();
        for (int b = 0; b < indices.length; b++) {
            int src = indices[b] * size;
            int dst = b * size;
            for (int i = 0; i < size; i++) {
                out[dst + i] = (pixels[src + i] & 0xFF) / 127.5f - 1f;
            }
            if (labelsOut != null) {
                labelsOut[b] = labels[indices[b]];
            }
        }
    }
}
