package io.atelier.common.eval;

import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

/** Pixel-space comparisons of images collected to the driver, as ND4J ops on [n, c*h*w] matrices. */
public final class PixelDistances {
    private PixelDistances() {
    }

    /** The images of column {@code column} as rows of a [n, c*h*w] float32 matrix in [-1, 1]. */
    public static INDArray pixels(List<Row> rows, int column) {
        List<SparkImage> images = rows.stream().map(r -> SparkImage.fromRow(r.getStruct(column))).toList();
        return PixelAdapter.toNchw(images).reshape('c', images.size(), -1);
    }

    /** Mean |a - b| over all elements in float64, in [0, 1] pixel units ([-1, 1] spans 2). */
    public static double meanL1(INDArray a, INDArray b) {
        INDArray diff = a.castTo(DataType.DOUBLE).subi(b.castTo(DataType.DOUBLE));
        return Transforms.abs(diff, false).meanNumber().doubleValue() / 2;
    }

    /** Each row's mean |a - b| in float64, in [0, 1] pixel units: a [n] vector. */
    public static INDArray rowMeanL1(INDArray a, INDArray b) {
        INDArray diff = a.castTo(DataType.DOUBLE).subi(b.castTo(DataType.DOUBLE));
        return Transforms.abs(diff, false).mean(1).divi(2);
    }

    /**
     * For each row of x, the row of candidates nearest in L2: |x - t|^2 = |x|^2 - 2 x.t + |t|^2, and |x|^2
     * is the same for every t, so the nearest maximises 2 x.t - |t|^2 (one matrix product for all pairs).
     */
    public static INDArray nearestRows(INDArray x, INDArray candidates) {
        INDArray squaredNorms = Transforms.pow(candidates.norm2(1), 2, false).reshape(1, -1);
        INDArray score = x.mmul(candidates.transpose()).muli(2).subiRowVector(squaredNorms);
        int[] index = Nd4j.argMax(score, 1).toIntVector();
        return candidates.getRows(index);
    }
}
