package io.atelier.common.families;

/** The executor side of a trained model: images for explicit sample indices. */
public interface SampleGenerator {
    /**
     * Images for the given global sample indices, NHWC in [-1, 1], channels in RGB order (the
     * networks' batch layout; {@link io.atelier.common.image.PixelAdapter} turns it into stored rows or PNGs).
     * Sample i's noise must derive from (seed, i) alone and each sample must not depend on the
     * others in the batch (inference-mode normalisation), so any partitioning gives equal bytes.
     *
     * @param labels one per index; -1 asks for an unconditional sample
     */
    float[] generate(long seed, long[] indices, int[] labels);
}
