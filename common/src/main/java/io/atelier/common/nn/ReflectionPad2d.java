package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * Pads the H and W axes of NHWC rows [H, W, C] by {@code p} on each side by reflection about the
 * edge, which is not repeated (PyTorch's {@code ReflectionPad2d}: a row 1 2 3 4 padded by 2 is
 * 3 2 1 2 3 4 3 2). The forward pass is the backend's {@code mirror_pad} op in its REFLECT mode.
 * The backward pass folds the reflected borders back onto the interior rows and columns they
 * copied, as {@code 4p} additions of one-pixel-wide slices (views): first the columns, over the
 * full padded height, then the rows, so corner values reach their interior pixel through both.
 * No parameters.
 */
public final class ReflectionPad2d implements Layer {
    /** mirror_pad's mode argument: 0 reflects without repeating the edge, 1 repeats it. */
    private static final int REFLECT = 0;

    private final int p;
    private final int h;
    private final int w;
    private final int c;
    private final long[] inShape;
    private final long[] outShape;
    private final INDArray paddings;
    private final Tensor y;
    /** The gradient with its columns folded: [H + 2p, W, C]. */
    private final Tensor folded;
    private final Tensor gradIn;
    private final DynamicCustomOp[] forwardOps;
    private final Fold[] folds;
    private Tensor x;
    private Tensor gy;

    public ReflectionPad2d(int p, int maxRows, int h, int w, int c) {
        if (p < 1 || p >= h || p >= w) {
            throw new IllegalArgumentException("reflection padding " + p + " needs 1 <= p < side, the maps are " + h + "x" + w);
        }
        this.p = p;
        this.h = h;
        this.w = w;
        this.c = c;
        this.inShape = new long[]{h, w, c};
        this.outShape = new long[]{h + 2L * p, w + 2L * p, c};
        this.paddings = Nd4j.createFromArray(new int[][]{{0, 0}, {p, p}, {p, p}, {0, 0}});
        this.y = new Tensor(maxRows, outShape);
        this.folded = new Tensor(maxRows, h + 2L * p, w, c);
        this.gradIn = new Tensor(maxRows, inShape);
        this.forwardOps = new DynamicCustomOp[maxRows + 1];
        this.folds = new Fold[maxRows + 1];
    }

    @Override
    public long[] outShape() {
        return outShape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        if (x != in) {
            if (in.rowSize() != h * w * c) {
                throw new IllegalArgumentException("reflection pad: input rows have " + in.rowSize() + " values, expected "
                        + Arrays.toString(inShape));
            }
            x = in;
            Arrays.fill(forwardOps, null);
        }
        DynamicCustomOp op = forwardOps[n];
        if (op == null) {
            op = DynamicCustomOp.builder("mirror_pad")
                    .addInputs(in.rows(n, inShape), paddings)
                    .addOutputs(y.rows(n))
                    .addIntegerArguments(REFLECT)
                    .build();
            forwardOps[n] = op;
        }
        Nd4j.exec(op);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        if (!grads.input()) {
            return null;
        }
        if (gy != gradOut) {
            if (gradOut.rowSize() != y.rowSize()) {
                throw new IllegalArgumentException("reflection pad: gradient rows have " + gradOut.rowSize() + " values, output rows " + y.rowSize());
            }
            gy = gradOut;
            Arrays.fill(folds, null);
        }
        Fold f = folds[n];
        if (f == null) {
            f = new Fold(gradOut.rows(n, outShape), n);
            folds[n] = f;
        }
        f.run();
        return gradIn;
    }

    /** The views one backward pass over n rows adds through, cut once per batch size. */
    private final class Fold {
        private final INDArray centreColumns;
        private final INDArray foldedRows;
        private final INDArray centreRows;
        private final INDArray gradRows;
        /** Pairs (interior slice, reflected slice that copied it), columns first, then rows. */
        private final INDArray[] targets;
        private final INDArray[] sources;

        Fold(INDArray g, int n) {
            INDArray t = folded.rows(n);
            this.centreColumns = g.get(all(), all(), span(p, w), all());
            this.foldedRows = t;
            this.centreRows = t.get(all(), span(p, h), all(), all());
            this.gradRows = gradIn.rows(n);
            this.targets = new INDArray[4 * p];
            this.sources = new INDArray[4 * p];
            int k = 0;
            for (int i = 1; i <= p; i++) {
                // Padded column p - i copied input column i; padded column p + w - 1 + i copied w - 1 - i.
                targets[k] = t.get(all(), all(), span(i, 1), all());
                sources[k++] = g.get(all(), all(), span(p - i, 1), all());
                targets[k] = t.get(all(), all(), span(w - 1 - i, 1), all());
                sources[k++] = g.get(all(), all(), span(p + w - 1 + i, 1), all());
            }
            for (int i = 1; i <= p; i++) {
                targets[k] = gradRows.get(all(), span(i, 1), all(), all());
                sources[k++] = t.get(all(), span(p - i, 1), all(), all());
                targets[k] = gradRows.get(all(), span(h - 1 - i, 1), all(), all());
                sources[k++] = t.get(all(), span(p + h - 1 + i, 1), all(), all());
            }
        }

        void run() {
            foldedRows.assign(centreColumns);
            for (int k = 0; k < 2 * p; k++) {
                targets[k].addi(sources[k]);
            }
            gradRows.assign(centreRows);
            for (int k = 2 * p; k < 4 * p; k++) {
                targets[k].addi(sources[k]);
            }
        }
    }

    private static INDArrayIndex all() {
        return NDArrayIndex.all();
    }

    private static INDArrayIndex span(int from, int length) {
        return NDArrayIndex.interval(from, from + length);
    }
}
