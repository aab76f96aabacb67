package io.atelier.common.families.cyclegan;

import io.atelier.common.nn.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The reference's history of generated images (Shrivastava et al. 2017): the discriminator is
 * updated on a mix of the newest fakes and older ones, which damps oscillation. Until the pool is
 * full every image is stored and passed through; after that each image is, with probability 0.5,
 * swapped for a stored one chosen uniformly (which it replaces), and otherwise passed through.
 * Images are rows of one tensor, moved by row assignments; the draws come from the caller's
 * {@link Rng}, so a rerun swaps the same images.
 */
final class ImagePool {
    private final INDArray images;
    private final INDArray swap;
    private int count;

    /** @param images [capacity, imageFloats], the pool's storage (the first {@code count} rows in use) */
    ImagePool(INDArray images, int count) {
        if (images.rank() != 2) {
            throw new IllegalArgumentException("pool storage must be [capacity, imageFloats], got rank " + images.rank());
        }
        if (count < 0 || count > images.rows()) {
            throw new IllegalArgumentException("pool holds " + count + " images, its capacity is " + images.rows());
        }
        this.images = images;
        this.swap = images.rows() == 0 ? null : images.getRow(0).dup();
        this.count = count;
    }

    int capacity() {
        return (int) images.rows();
    }

    /** Images stored so far (at most the capacity). */
    int count() {
        return count;
    }

    /**
     * Replaces rows of {@code batch} ([n, imageFloats]) in place with what the discriminator
     * should see, storing the new images as described above.
     */
    void query(INDArray batch, Rng rng) {
        int capacity = capacity();
        if (capacity == 0) {
            return;
        }
        for (int i = 0; i < batch.rows(); i++) {
            INDArray image = batch.getRow(i);
            if (count < capacity) {
                images.getRow(count).assign(image);
                count++;
            } else if (rng.nextDouble() > 0.5) {
                INDArray stored = images.getRow(rng.nextInt(capacity));
                swap.assign(stored);
                stored.assign(image);
                image.assign(swap);
            }
        }
    }
}
