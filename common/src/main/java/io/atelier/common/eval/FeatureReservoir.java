package io.atelier.common.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A uniform sample of at most {@code capacity} feature vectors (bottom-k sampling): each vector
 * comes with a pseudo-random key derived from its image, and the sample is the vectors with the
 * smallest keys. Merging keeps the smallest keys of the union, so the sample is the same however
 * the images were spread over partitions, and memory is bounded by the capacity.
 */
public final class FeatureReservoir implements Serializable {
    private final int capacity;
    private final int dimension;
    /** Largest key on top, so the next smaller key evicts it. */
    private final PriorityQueue<Entry> entries;

    private record Entry(long key, float[] features) implements Serializable {
    }

    /** A named class, not a lambda: the queue travels with Java serialization. */
    private static final class LargestKeyFirst implements Comparator<Entry>, Serializable {
        @Override
        public int compare(Entry a, Entry b) {
            return Long.compare(b.key(), a.key());
        }
    }

    public FeatureReservoir(int capacity, int dimension) {
        if (capacity < 1) {
            throw new IllegalArgumentException("reservoir capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.dimension = dimension;
        this.entries = new PriorityQueue<>(new LargestKeyFirst());
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return entries.size();
    }

    /** Offers one vector; {@code key} must be a uniform pseudo-random function of the image. */
    public void offer(long key, float[] features) {
        if (features.length != dimension) {
            throw new IllegalArgumentException("feature vector has " + features.length + " values, reservoir expects "
                    + dimension);
        }
        if (entries.size() < capacity) {
            entries.add(new Entry(key, features.clone()));
        } else if (key < entries.peek().key()) {
            entries.poll();
            entries.add(new Entry(key, features.clone()));
        }
    }

    public FeatureReservoir merge(FeatureReservoir other) {
        for (Entry e : other.entries) {
            offer(e.key(), e.features());
        }
        return this;
    }

    /** The sampled vectors in key order (deterministic for the same images and seed). */
    public float[][] features() {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::key));
        float[][] out = new float[sorted.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = sorted.get(i).features().clone();
        }
        return out;
    }
}
