package io.atelier.common.nn;

/** An activation applied to the previous layer's output buffer, forward and backward in place. */
public final class InPlaceActivation implements Layer {
    private final Activation act;
    private final long[] shape;
    private Tensor y;

    public InPlaceActivation(Activation act, long... shape) {
        this.act = act;
        this.shape = shape.clone();
    }

    @Override
    public long[] outShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        y = in;
        act.forward(in.floats(), 0, n * in.rowSize());
        return in;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        act.backward(y.floats(), gradOut.floats(), 0, n * gradOut.rowSize());
        return gradOut;
    }
}
