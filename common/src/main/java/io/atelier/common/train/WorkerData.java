package io.atelier.common.train;

import io.atelier.common.image.PixelAdapter;

import java.io.Serializable;

/**
 * A worker's share of the training split, decoded once into a compact form that stays cached on
 * its executor across rounds: pixels exactly as stored (unsigned bytes, height x width x channels
 * interleaved, BGR or gray; see {@link PixelAdapter}), image after image, plus labels (-1 when
 * unlabelled). Widen a minibatch to [-1, 1] floats with {@link #batch}.
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

    /**
     * Fills {@code out} (length indices.length * imageSize) with the images in [-1, 1], NHWC in
     * stored channel order: {@link PixelAdapter#storedToRgb} makes them the networks' RGB batch.
     */
    public void batch(int[] indices, float[] out, int[] labelsOut) {
        PixelAdapter.widen(pixels, imageSize(), indices, out);
        if (labelsOut != null) {
            for (int b = 0; b < indices.length; b++) {
                labelsOut[b] = labels[indices[b]];
            }
        }
    }
}
