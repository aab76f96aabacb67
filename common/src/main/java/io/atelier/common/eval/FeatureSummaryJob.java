package io.atelier.common.eval;

import io.atelier.common.compute.ComputeDevice;
import io.atelier.common.compute.DeviceLog;
import io.atelier.common.compute.TaskDevice;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.image.ImageTensors;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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
                .mapPartitions(task::summarise)
                .treeAggregate(zero, FeatureSummary::merge, FeatureSummary::merge, 2);
    }

    /** The per-partition work, shipped to executors. */
    private record PartitionTask(FeatureSource source, int batch, int capacity, DeviceLog devices)
            implements Serializable {
        Iterator<FeatureSummary> summarise(Iterator<Row> rows) {
            TaskDevice device = ComputeDevice.bindForTask();
            if (devices != null) {
                devices.add(device);
            }
            FeatureExtractor extractor = ExtractorCache.get(source);
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
                    float[][] features = extractor.features(ImageTensors.toNchw(images));
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

    /**
     * One extractor per source per executor thread: loaded once, not per task, and never shared
     * by two concurrent tasks (networks keep per-call state).
     */
    static final class ExtractorCache {
        private static final ThreadLocal<Map<FeatureSource, FeatureExtractor>> CACHE =
                ThreadLocal.withInitial(HashMap::new);

        static FeatureExtractor get(FeatureSource source) {
            return CACHE.get().computeIfAbsent(source, FeatureSource::open);
        }
    }
}
