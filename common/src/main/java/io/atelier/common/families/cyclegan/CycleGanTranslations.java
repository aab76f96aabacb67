package io.atelier.common.families.cyclegan;

import io.atelier.common.compute.ComputeDevice;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import io.atelier.common.nn.HostArrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Image rows translated by one of a run's generators where the rows are, for scoring: each
 * partition builds the generators once, translates its images chunk by chunk, and keeps for each
 * image its translation (8-bit, as any stored image) and its cycle error |F(G(x)) - x| (from the
 * unrounded translation, as training measures it).
 */
public final class CycleGanTranslations {
    /** Column of each image's mean per-pixel |F(G(x)) - x|, in [0, 1] pixel units. */
    public static final String CYCLE_L1 = "cycle_l1";

    private CycleGanTranslations() {
    }

    /** Where the generators come from (a run's checkpoint, or a training state between rounds), shipped to executors. */
    public interface TranslatorSource extends Serializable {
        /** Builds both generators with the weights loaded. */
        CycleGanTranslator translator(int maxRows);
    }

    /**
     * @param rows      rows with an {@code image} column of the run's shape and a long {@code keyColumn}
     * @param keyColumn a column carried through unchanged (e.g. the sampling key)
     * @param batch     images per generator call
     * @return rows of (image: the translation, keyColumn, {@link #CYCLE_L1})
     */
    public static Dataset<Row> of(Dataset<Row> rows, String keyColumn, TranslatorSource run,
                                  CycleGanTranslator.Direction direction, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        StructType schema = new StructType()
                .add(DatasetSchema.IMAGE, SparkImage.STRUCT, false)
                .add(keyColumn, DataTypes.LongType, false)
                .add(CYCLE_L1, DataTypes.DoubleType, false);
        Task task = new Task(run, direction, batch);
        return rows.sparkSession().createDataFrame(
                rows.select(col(DatasetSchema.IMAGE), col(keyColumn)).javaRDD().mapPartitions(
                        it -> io.atelier.common.compute.NativeMemory.guard(() -> task.translate(it))), schema);
    }

    /** The per-partition work, shipped to executors. */
    private record Task(TranslatorSource run, CycleGanTranslator.Direction direction, int batch) implements Serializable {
        Iterator<Row> translate(Iterator<Row> rows) {
            if (!rows.hasNext()) {
                return List.<Row>of().iterator();
            }
            ComputeDevice.bindForTask();
            CycleGanTranslator translator = run.translator(batch);
            List<Row> out = new ArrayList<>();
            List<SparkImage> images = new ArrayList<>(batch);
            List<Long> keys = new ArrayList<>(batch);
            while (rows.hasNext()) {
                Row row = rows.next();
                images.add(SparkImage.fromRow(row.getStruct(0)));
                keys.add(row.getLong(1));
                if (images.size() == batch || !rows.hasNext()) {
                    translateChunk(translator, images, keys, out);
                    images.clear();
                    keys.clear();
                }
            }
            return out.iterator();
        }

        private void translateChunk(CycleGanTranslator translator, List<SparkImage> images, List<Long> keys,
                                    List<Row> out) {
            INDArray nhwc = PixelAdapter.toNhwc(images);
            float[] x = HostArrays.toArray(nhwc);
            float[] there = translator.translate(x, direction);
            float[] back = translator.translate(there, direction.reverse());
            int n = images.size();
            // [-1, 1] spans 2 units; halving gives the error in [0, 1] pixel units. Each image's mean
            // runs over its values channels first, the order it has always summed them in.
            INDArray error = Transforms.abs(HostArrays.of(back, nhwc.shape()).subi(nhwc), false);
            float[] cycleL1 = HostArrays.toArray(error.permute(0, 3, 1, 2).dup('c').reshape('c', n, -1).mean(1).muli(0.5));
            List<BufferedImage> translated = PixelAdapter.toImages(HostArrays.of(there, nhwc.shape()));
            int channels = (int) nhwc.size(3);
            for (int i = 0; i < n; i++) {
                SparkImage t = SparkImage.fromRgb(direction.id() + ":" + images.get(i).origin(), translated.get(i),
                        channels);
                out.add(RowFactory.create(t.toRow(), keys.get(i), (double) cycleL1[i]));
            }
        }
    }
}
