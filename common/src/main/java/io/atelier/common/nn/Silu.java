package io.atelier.common.nn;

/**
 * y = x * sigmoid(x) into its own buffer; the backward pass reads the (unchanged) input. Rows go
 * through {@link RowScratch} arrays so that the element loops vectorise.
 */
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
            float[] xr = RowScratch.floats(0, row);
            for (int r = from; r < to; r++) {
                in.floats().get(r * row, xr, 0, row);
                for (int i = 0; i < row; i++) {
                    float v = xr[i];
                    xr[i] = v * Activation.sigmoidRational(v);
                }
                y.floats().put(r * row, xr, 0, row);
            }
        });
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        int row = y.rowSize();
        Parallel.rows(n, row, (from, to) -> {
            float[] xr = RowScratch.floats(0, row);
            float[] gr = RowScratch.floats(1, row);
            for (int r = from; r < to; r++) {
                x.floats().get(r * row, xr, 0, row);
                gradOut.floats().get(r * row, gr, 0, row);
                for (int i = 0; i < row; i++) {
                    float v = xr[i];
                    float s = Activation.sigmoidRational(v);
                    gr[i] = gr[i] * s * (1f + v * (1f - s));
                }
                gradIn.floats().put(r * row, gr, 0, row);
            }
        });
        return gradIn;
    }
}
