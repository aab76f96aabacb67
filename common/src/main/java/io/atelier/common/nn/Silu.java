package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * y = x * sigmoid(x) into its own buffer, as ND4J ops. The sigmoid is kept for the backward
 * pass, whose derivative s + y (1 - s) then needs no exponential; the backend's own swish
 * derivative, e^x (x + e^x + 1) / (e^x + 1)^2, overflows to NaN from x = 50 on.
 */
public final class Silu implements Layer {
    private final long[] shape;
    private final Tensor sig;
    private final Tensor y;
    private final Tensor gradIn;

    public Silu(int maxRows, long... shape) {
        this.shape = shape.clone();
        this.sig = new Tensor(maxRows, shape);
        this.y = new Tensor(maxRows, shape);
        this.gradIn = new Tensor(maxRows, shape);
    }

    @Override
    public long[] outShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (in.rowSize() != y.rowSize()) {
            throw new IllegalArgumentException("SiLU: input rows have " + in.rowSize() + " values, expected " + y.rowSize());
        }
        forward(in.matrix(n), sig.matrix(n), y.matrix(n));
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        backward(sig.matrix(n), y.matrix(n), gradOut.matrix(n), gradIn.matrix(n));
        return gradIn;
    }

    /** s = sigmoid(x), y = x * s; all of one shape. */
    static void forward(INDArray x, INDArray s, INDArray y) {
        Nd4j.exec(new Sigmoid(x, s));
        Nd4j.exec(new MulOp(x, s, y));
    }

    /** out = g * (s + y (1 - s)), the gradient of x from the forward pass's s and y; out must not be g. */
    static void backward(INDArray s, INDArray y, INDArray g, INDArray out) {
        Nd4j.exec(new ScalarReverseSubtraction(s, null, out, 1.0));
        Nd4j.exec(new MulOp(out, y, out));
        Nd4j.exec(new AddOp(out, s, out));
        Nd4j.exec(new MulOp(out, g, out));
    }
}
