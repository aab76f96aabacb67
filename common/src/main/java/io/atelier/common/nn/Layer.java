package io.atelier.common.nn;

/**
 * One stage of a network over preallocated buffers. {@link #forward} returns a buffer the layer
 * owns (or, for in-place layers, its input); {@link #backward} consumes the gradient of the
 * forward output, writes parameter gradients into the network's {@link Params} (overwriting,
 * never accumulating across calls) and returns the gradient of the input. A layer must see the
 * same input and gradient buffers on every call; only the row count n may change.
 */
public interface Layer {

    /** Per-row shape of the output. */
    long[] outShape();

    Tensor forward(Tensor in, int n, Pass pass);

    Tensor backward(Tensor gradOut, int n, Grads grads);

    /** What a backward call must produce. */
    enum Grads {
        /** Parameter and input gradients. */
        ALL,
        /** Only the input gradient: the parameters are frozen for this pass. */
        INPUT,
        /** Only parameter gradients: nothing upstream needs the input gradient. */
        PARAMS;

        public boolean params() {
            return this != INPUT;
        }

        public boolean input() {
            return this != PARAMS;
        }
    }

    /**
     * How a forward pass runs: training (batch statistics, running statistics updated) or
     * evaluation (running statistics), and how many equal groups of rows normalise separately
     * (two when real and fake batches share one pass, as two separate passes would).
     */
    record Pass(boolean training, int groups) {
        public static final Pass TRAIN = new Pass(true, 1);
        public static final Pass EVAL = new Pass(false, 1);

        public Pass {
            if (groups < 1) {
                throw new IllegalArgumentException("groups must be >= 1, got " + groups);
            }
        }
    }
}
