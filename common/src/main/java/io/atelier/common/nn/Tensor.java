package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * A float tensor of shape [maxRows, ...] allocated once, with cached views of its leading rows
 * for the ops (a batch of n uses rows [0, n)). Rows are contiguous, so every view is dense.
 */
public final class Tensor {
    private final INDArray array;
    private final long[] rowShape;
    private final int rowSize;
    private final INDArray[] rows;
    private final INDArray[] matrices;
    private final INDArray[] pixelMatrices;

    public Tensor(long maxRows, long... rowShape) {
        long[] shape = new long[rowShape.length + 1];
        shape[0] = maxRows;
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        this.array = Nd4j.create(DataType.FLOAT, shape, 'c');
        this.rowShape = rowShape.clone();
        long rs = 1;
        for (long d : rowShape) {
            rs *= d;
        }
        this.rowSize = (int) rs;
        this.rows = new INDArray[(int) maxRows + 1];
        this.matrices = new INDArray[(int) maxRows + 1];
        this.pixelMatrices = new INDArray[(int) maxRows + 1];
    }

    public int rowSize() {
        return rowSize;
    }

    public int maxRows() {
        return rows.length - 1;
    }

    public long[] rowShape() {
        return rowShape.clone();
    }

    /** Rows [0, n) with the full shape [n, ...]. */
    public INDArray rows(int n) {
        checkRows(n);
        INDArray v = rows[n];
        if (v == null) {
            v = n == maxRows() ? array : array.get(NDArrayIndex.interval(0, n));
            rows[n] = v;
        }
        return v;
    }

    /** Rows [0, n) as an [n, rowSize] matrix. */
    public INDArray matrix(int n) {
        checkRows(n);
        INDArray v = matrices[n];
        if (v == null) {
            v = rows(n).reshape('c', n, rowSize);
            matrices[n] = v;
        }
        return v;
    }

    /** Rows [0, n) of channels-last maps as a [n * pixels, channels] matrix. */
    public INDArray pixels(int n) {
        checkRows(n);
        INDArray v = pixelMatrices[n];
        if (v == null) {
            long channels = rowShape[rowShape.length - 1];
            v = rows(n).reshape('c', n * (rowSize / channels), channels);
            pixelMatrices[n] = v;
        }
        return v;
    }

    /** Rows [0, n) viewed with another per-row shape of the same size (e.g. flatten). */
    public INDArray rows(int n, long... otherRowShape) {
        long[] shape = new long[otherRowShape.length + 1];
        shape[0] = n;
        System.arraycopy(otherRowShape, 0, shape, 1, otherRowShape.length);
        return rows(n).reshape('c', shape);
    }

    private void checkRows(int n) {
        if (n < 1 || n > maxRows()) {
            throw new IllegalArgumentException("asked for " + n + " rows of a buffer with " + maxRows()
                    + " rows of " + Arrays.toString(rowShape));
        }
    }
}
