package io.atelier.common.train;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Reads a dataset's train split (or several datasets' train splits) once and turns it into one
 * {@link WorkerData} per worker: an RDD with exactly W partitions, partition w holding the shards s
 * with s mod W = w, its pixels kept as stored and persisted on the executors so that rounds never
 * read Parquet again.
 */
final class WorkerDataLoader {
    /**
     * In memory as objects, spilled whole to local disk when memory is short: a lost block is read
     * back from disk instead of re-reading and re-decoding the shards.
     */
    static final StorageLevel STORAGE = StorageLevel.MEMORY_AND_DISK();

    private WorkerDataLoader() {
    }

    /**
     * @param decoded counts the images decoded, so a caller can check that decoding ran once
     */
    static JavaRDD<WorkerData> load(SparkSession spark, ImageDataset dataset, int workers, RowLabeler labeler,
                                    LongAccumulator decoded) {
        return load(spark, List.of(dataset), workers, labeler, decoded);
    }

    /**
     * Several inputs: each is partitioned as one dataset is (its shard s to worker s mod W), and
     * worker w's parts of every input are decoded together into one WorkerData in which a row's
     * label is its input's index (0, 1, ...). One input keeps its labels from {@code labeler}.
     * Every input must have the first's geometry (see {@link TrainingInputs#requireSameGeometry}).
     */
    static JavaRDD<WorkerData> load(SparkSession spark, List<ImageDataset> inputs, int workers, RowLabeler labeler,
                                    LongAccumulator decoded) {
        TrainingInputs.requireSameGeometry(inputs);
        JavaPairRDD<Integer, StoredImage> rows = null;
        for (int i = 0; i < inputs.size(); i++) {
            JavaPairRDD<Integer, StoredImage> part = trainRows(spark, inputs.get(i), workers,
                    inputs.size() == 1 ? labeler : inputIndex(i));
            rows = rows == null ? part : rows.union(part);
        }
        Manifest m = inputs.get(0).manifest();
        Shape shape = new Shape(m.channels(), m.height(), m.width());
        JavaRDD<WorkerData> data = rows
                .partitionBy(new WorkerPartitioner(workers))
                .mapPartitionsWithIndex(new Decode(shape, decoded), true);
        return data.persist(STORAGE);
    }

    /** A dataset's train rows keyed by the worker that owns their shard, not yet decoded. */
    private static JavaPairRDD<Integer, StoredImage> trainRows(SparkSession spark, ImageDataset dataset, int workers,
                                                              RowLabeler labeler) {
        Manifest m = dataset.manifest();
        if (m.shards() < workers) {
            throw new IllegalArgumentException("dataset " + dataset.path() + " has " + m.shards() + " shards, fewer than the "
                    + workers + " workers asked for: each worker needs at least one shard; re-ingest with more shards or use fewer workers");
        }
        return dataset.rowsWithCaptions(spark)
                .where(col(DatasetSchema.SPLIT).equalTo(DatasetSchema.TRAIN))
                .select(DatasetSchema.IMAGE, DatasetSchema.ID, DatasetSchema.LABEL, DatasetSchema.LABEL_NAME,
                        DatasetSchema.CAPTION, DatasetSchema.SHARD)
                .javaRDD()
                .mapToPair(row -> new Tuple2<>(Math.floorMod(row.getInt(row.fieldIndex(DatasetSchema.SHARD)), workers),
                        StoredImage.of(row, labeler)));
    }

    /** Labels every row of an input with the input's index. */
    static RowLabeler inputIndex(int index) {
        return row -> index;
    }

    /** Image size every row must have: the dataset's, from its manifest. */
    record Shape(int channels, int height, int width) implements java.io.Serializable {
        int size() {
            return channels * height * width;
        }
    }

    /** Sorts a worker's rows into a fixed order and decodes them into one WorkerData. */
    static final class Decode implements Function2<Integer, Iterator<Tuple2<Integer, StoredImage>>, Iterator<WorkerData>> {
        private final Shape shape;
        private final LongAccumulator decoded;

        Decode(Shape shape, LongAccumulator decoded) {
            this.shape = shape;
            this.decoded = decoded;
        }

        @Override
        public Iterator<WorkerData> call(Integer worker, Iterator<Tuple2<Integer, StoredImage>> rows) {
            List<StoredImage> images = new ArrayList<>();
            rows.forEachRemaining(t -> images.add(t._2()));
            // Shuffle output arrives in no fixed order; the model must see the same order every run.
            images.sort(StoredImage.ORDER);
            WorkerData data = decode(worker, images, shape);
            decoded.add(images.size());
            return Collections.singletonList(data).iterator();
        }
    }

    /** The rows' stored pixels one image after another (no conversion: batches widen them), with their labels. */
    static WorkerData decode(int worker, List<StoredImage> images, Shape shape) {
        long total = (long) images.size() * shape.size();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("worker " + worker + " would hold " + total + " bytes of pixels, over the 2 GiB a"
                    + " worker can hold: use more workers");
        }
        int c = shape.channels();
        int size = shape.size();
        byte[] pixels = new byte[(int) total];
        int[] labels = new int[images.size()];
        for (int n = 0; n < images.size(); n++) {
            StoredImage img = images.get(n);
            if (img.channels() != c || img.height() != shape.height() || img.width() != shape.width()) {
                throw new IllegalArgumentException("image " + img.id() + " is " + img.height() + "x" + img.width() + "x"
                        + img.channels() + ", the dataset manifest says " + shape.height() + "x" + shape.width() + "x" + c);
            }
            System.arraycopy(img.data(), 0, pixels, n * size, size);
            labels[n] = img.label();
        }
        return new WorkerData(worker, images.size(), c, shape.height(), shape.width(), pixels, labels);
    }
}
