package io.atelier.common.nn;

import java.nio.FloatBuffer;

/** y = x * sigmoid(x) into its own buffer; the backward pass reads the (unchanged) input. */
public final class Silu implements Layer {
    private final long[] shape;
    private final Tensor y;
    private final Tensor gradIn;
    private Tensor x;

    public Silu(int maxRows, long... shape) {
        this.shape = shape.clone();
        this.y = new Tensor(maxRows, shape);
        this.gradIn = new Tensor(maxRows, shape);
    }

    @Override
    public long[] outShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        x = in;
        int row = y.rowSize();
        Parallel.rows(n, row, (from, to) -> {
            FloatBuffer xf = in.floats();
            FloatBuffer yf = y.floats();
            for (int i = from * row, end = to * row; i < end; i++) {
                float v = xf.get(i);
                yf.put(i, v * Activation.sigmoid(v));
            }
        });
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        int row = y.rowSize();
        Parallel.rows(n, row, (from, to) -> {
            FloatBuffer xf = x.floats();
            FloatBuffer g = gradOut.floats();
            FloatBuffer gx = gradIn.floats();
            for (int i = from * row, end = to * row; i < end; i++) {
                float v = xf.get(i);
                float s = Activation.sigmoid(v);
                gx.put(i, g.get(i) * s * (1f + v * (1f - s)));
            }
        });
        return gradIn;
    }
}
