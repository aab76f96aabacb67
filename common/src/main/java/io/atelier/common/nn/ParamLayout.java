package io.atelier.common.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named tensors packed back to back in one flat float array, in registration order. A network
 * registers its parameters (or its running statistics) here; the training state stores the
 * flat array, and native views are cut from the same offsets.
 */
public final class ParamLayout {

    /** How a tensor starts. */
    public enum Init { ZERO, ONE, NORMAL, ONE_PLUS_NORMAL }

    public record Entry(String name, long[] shape, int offset, int length, Init init, double std) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape) + "@" + offset;
        }
    }

    private final List<Entry> entries;
    private final Map<String, Entry> byName;
    private final int size;

    private ParamLayout(List<Entry> entries) {
        this.entries = Collections.unmodifiableList(new ArrayList<>(entries));
        Map<String, Entry> m = new LinkedHashMap<>();
        int total = 0;
        for (Entry e : entries) {
            if (m.put(e.name(), e) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + e.name() + "'");
            }
            total = e.offset() + e.length();
        }
        this.byName = m;
        this.size = total;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return size;
    }

    public List<Entry> entries() {
        return entries;
    }

    public Entry get(String name) {
        Entry e = byName.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in layout; have " + byName.keySet());
        }
        return e;
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** A fresh flat array with every tensor at its initial value, drawn in layout order. */
    public float[] initialValues(Rng rng) {
        float[] v = new float[size];
        for (Entry e : entries) {
            int end = e.offset() + e.length();
            for (int i = e.offset(); i < end; i++) {
                v[i] = switch (e.init()) {
                    case ZERO -> 0f;
                    case ONE -> 1f;
                    case NORMAL -> (float) (e.std() * rng.nextGaussian());
                    case ONE_PLUS_NORMAL -> (float) (1 + e.std() * rng.nextGaussian());
                };
            }
        }
        return v;
    }

    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private int offset;

        public Builder add(String name, Init init, double std, long... shape) {
            long n = 1;
            for (long d : shape) {
                if (d <= 0) {
                    throw new IllegalArgumentException("tensor '" + name + "' has a non-positive dimension: " + Arrays.toString(shape));
                }
                n *= d;
            }
            if (offset + n > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("layout exceeds 2^31 floats at '" + name + "'");
            }
            entries.add(new Entry(name, shape, offset, (int) n, init, std));
            offset += (int) n;
            return this;
        }

        public ParamLayout build() {
            return new ParamLayout(entries);
        }
    }
}
