package io.atelier.common.nn;

/**
 * A network's non-trained buffers (batch-norm running mean and variance) as one flat heap
 * array laid out by a {@link ParamLayout}. Only Java code touches them, so the worker points
 * this holder at the training state's own array instead of copying it.
 */
public final class RunningStats {
    private final ParamLayout layout;
    private float[] values;

    public RunningStats(ParamLayout layout) {
        this.layout = layout;
        this.values = layout.initialValues(new Rng(0));
    }

    public ParamLayout layout() {
        return layout;
    }

    public float[] values() {
        return values;
    }

    /** Uses {@code flat} (not a copy) from now on. */
    public void bind(float[] flat) {
        if (flat.length != layout.size()) {
            throw new IllegalArgumentException("expected " + layout.size() + " running statistics, got " + flat.length);
        }
        this.values = flat;
    }

    public int offset(String name) {
        return layout.get(name).offset();
    }
}
