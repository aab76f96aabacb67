package io.atelier.common.eval;

import io.atelier.common.compute.ComputeDevice;
import io.atelier.common.compute.DeviceLog;
import io.atelier.common.compute.TaskDevice;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.exec.ExecutorCache;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Features of a sample of images, summarised where the images are: each partition builds the
 * feature network once, extracts features batch by batch and returns one {@link FeatureSummary};
 * the driver merges the summaries (a tree, so its memory holds a few summaries, not images).
 */
public final class FeatureSummaryJob {
    /** Column with each row's sampling key (see {@link EvalSample}). */
    public static final String KEY = "sample_key";

    private FeatureSummaryJob() {
    }

    /** @param rows with {@code image} and {@link #KEY} columns */
    public static FeatureSummary summarise(Dataset<Row> rows, FeatureSource source, int batch, int reservoirCapacity) {
        return summarise(rows, source, batch, reservoirCapacity, null);
    }

    /** As above, recording where each task computed in {@code devices} (when not null). */
    public static FeatureSummary summarise(Dataset<Row> rows, FeatureSource source, int batch, int reservoirCapacity,
                                           DeviceLog devices) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        PartitionTask task = new PartitionTask(source, batch, reservoirCapacity, devices);
        FeatureSummary zero = FeatureSummary.empty(source.dimension(), reservoirCapacity);
        return rows.select(col(DatasetSchema.IMAGE), col(KEY)).javaRDD()
                .mapPartitions(part -> io.atelier.common.compute.NativeMemory.guard(() -> task.summarise(part)))
                .treeAggregate(zero, FeatureSummary::merge, FeatureSummary::merge, 2);
    }

    /**
     * Extractors per source in an executor JVM, built once and lent to one task at a time (a
     * network may keep per-call state); a few sources cover an evaluation's real and generated sets.
     */
    private static final ExecutorCache.Lending<FeatureSource, FeatureExtractor> EXTRACTORS =
            new ExecutorCache.Lending<>(4);

    /** The per-partition work, shipped to executors. */
    private record PartitionTask(FeatureSource source, int batch, int capacity, DeviceLog devices)
            implements Serializable {
        Iterator<FeatureSummary> summarise(Iterator<Row> rows) {
            TaskDevice device = ComputeDevice.bindForTask();
            if (devices != null) {
                devices.add(device);
            }
            FeatureExtractor extractor = EXTRACTORS.borrowForTask(source, FeatureSource::open);
            FeatureSummary summary = FeatureSummary.empty(source.dimension(), capacity);
            List<SparkImage> images = new ArrayList<>(batch);
            List<Long> keys = new ArrayList<>(batch);
            while (rows.hasNext()) {
                Row row = rows.next();
                SparkImage image = SparkImage.fromRow(row.getStruct(0));
                if (!source.accepts(image.height(), image.width(), image.nChannels())) {
                    throw new IllegalArgumentException("image " + image.origin() + " is " + image.height() + "x"
                            + image.width() + "x" + image.nChannels() + "; the feature network takes "
                            + source.accepted());
                }
                images.add(image);
                keys.add(row.getLong(1));
                if (images.size() == batch || !rows.hasNext()) {
                    float[][] features = extractor.features(PixelAdapter.toNchw(images));
                    for (int i = 0; i < features.length; i++) {
                        summary.add(keys.get(i), features[i]);
                    }
                    images.clear();
                    keys.clear();
                }
            }
            return List.of(summary).iterator();
        }
    }
}
