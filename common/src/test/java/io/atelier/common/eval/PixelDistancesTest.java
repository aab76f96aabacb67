package io.atelier.common.eval;

import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PixelDistancesTest {
    private static Row gray(String origin, int... pixels) {
        byte[] data = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            data[i] = (byte) pixels[i];
        }
        // Rows as collected from a frame carry their schema, which fromRow reads fields by.
        Row image = new GenericRowWithSchema(new Object[]{origin, 1, pixels.length, 1, SparkImage.CV_8UC1, data},
                SparkImage.STRUCT);
        return RowFactory.create(image);
    }

    @Test
    void meanL1IsInPixelUnitsOfZeroToOne() {
        INDArray a = PixelDistances.pixels(List.of(gray("a", 0, 255, 10), gray("b", 0, 0, 0)), 0);
        INDArray b = PixelDistances.pixels(List.of(gray("c", 255, 255, 10), gray("d", 51, 0, 0)), 0);
        assertArrayEquals(new long[]{2, 3}, a.shape());
        assertEquals((255 + 51) / 255.0 / 6, PixelDistances.meanL1(a, b), 1e-7);
        assertEquals(0, PixelDistances.meanL1(a, a), 0);
    }

    @Test
    void nearestRowsAgreeWithABruteForceSearch() {
        SplittableRandom rng = new SplittableRandom(7);
        float[] x = new float[5 * 12];
        float[] pool = new float[9 * 12];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        for (int i = 0; i < pool.length; i++) {
            pool[i] = (float) rng.nextDouble(-1, 1);
        }
        INDArray nearest = PixelDistances.nearestRows(Nd4j.create(x, 5, 12), Nd4j.create(pool, 9, 12));
        for (int i = 0; i < 5; i++) {
            int best = -1;
            double bestDistance = Double.MAX_VALUE;
            for (int j = 0; j < 9; j++) {
                double d = 0;
                for (int k = 0; k < 12; k++) {
                    d += Math.pow(x[i * 12 + k] - pool[j * 12 + k], 2);
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = j;
                }
            }
            float[] expected = new float[12];
            System.arraycopy(pool, best * 12, expected, 0, 12);
            assertArrayEquals(expected, nearest.getRow(i).toFloatVector(), 0f, "row " + i);
        }
    }
}
