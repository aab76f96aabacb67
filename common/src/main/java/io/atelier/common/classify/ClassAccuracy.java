package io.atelier.common.classify;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.exec.ExecutorCache;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * The classifier's accuracy per class on labelled images, computed where the images are. On a
 * class-conditional model's samples it says whether each class came out as asked for.
 */
public final class ClassAccuracy {
    private ClassAccuracy() {
    }

    /** Correct and total predictions per label index. */
    public record Counts(List<String> classNames, long[] correct, long[] total) implements Serializable {
        public double accuracy() {
            long c = 0;
            long t = 0;
            for (int i = 0; i < total.length; i++) {
                c += correct[i];
                t += total[i];
            }
            return t == 0 ? Double.NaN : (double) c / t;
        }

        /** Class name -> accuracy, for classes with images. */
        public Map<String, Double> perClass() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (int i = 0; i < total.length; i++) {
                if (total[i] > 0) {
                    m.put(classNames.get(i), (double) correct[i] / total[i]);
                }
            }
            return m;
        }

        Counts plus(Counts o) {
            long[] c = correct.clone();
            long[] t = total.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] += o.correct[i];
                t[i] += o.total[i];
            }
            return new Counts(classNames, c, t);
        }
    }

    /** @param rows dataset rows; those without a label are skipped */
    public static Counts of(Dataset<Row> rows, ClassifierFeatures classifier, int batch) {
        List<String> names = classifier.classNames();
        Task task = new Task(classifier, names.size(), batch);
        Counts zero = new Counts(names, new long[names.size()], new long[names.size()]);
        return rows.where(col(DatasetSchema.LABEL).isNotNull())
                .select(DatasetSchema.IMAGE, DatasetSchema.LABEL).javaRDD()
                .mapPartitions(part -> io.atelier.common.compute.NativeMemory.guard(() -> task.count(part)))
                .fold(zero, Counts::plus);
    }

    /**
     * How many of the images in {@code rows} (an {@code image} column; labels are not read) the
     * classifier assigns to each class, in the order of its class names.
     */
    public static long[] predictions(Dataset<Row> rows, ClassifierFeatures classifier, int batch) {
        int classes = classifier.classNames().size();
        Histogram task = new Histogram(classifier, classes, batch);
        return rows.select(DatasetSchema.IMAGE).javaRDD()
                .mapPartitions(part -> io.atelier.common.compute.NativeMemory.guard(() -> task.count(part)))
                .fold(new long[classes], ClassAccuracy::sum);
    }

    private static long[] sum(long[] a, long[] b) {
        long[] s = a.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] += b[i];
        }
        return s;
    }

    /** Networks per classifier in an executor JVM, lent to one task at a time (DL4J networks are not thread-safe). */
    private static final ExecutorCache.Lending<ClassifierFeatures, MultiLayerNetwork> NETWORKS =
            new ExecutorCache.Lending<>(2);

    private record Task(ClassifierFeatures classifier, int classes, int batch) implements Serializable {
        Iterator<Counts> count(Iterator<Row> rows) {
            io.atelier.common.compute.ComputeDevice.bindForTask();
            MultiLayerNetwork network = NETWORKS.borrowForTask(classifier, ClassifierFeatures::network);
            long[] correct = new long[classes];
            long[] total = new long[classes];
            List<SparkImage> images = new ArrayList<>(batch);
            List<Integer> labels = new ArrayList<>(batch);
            while (rows.hasNext()) {
                Row row = rows.next();
                images.add(SparkImage.fromRow(row.getStruct(0)));
                labels.add(row.getInt(1));
                if (images.size() == batch || !rows.hasNext()) {
                    INDArray predicted = predict(network, images);
                    for (int i = 0; i < labels.size(); i++) {
                        int label = labels.get(i);
                        if (label < 0 || label >= classes) {
                            throw new IllegalArgumentException("label " + label + " is outside the classifier's "
                                    + classes + " classes");
                        }
                        total[label]++;
                        correct[label] += predicted.getInt(i) == label ? 1 : 0;
                    }
                    images.clear();
                    labels.clear();
                }
            }
            return List.of(new Counts(classifier.classNames(), correct, total)).iterator();
        }
    }

    private static INDArray predict(MultiLayerNetwork network, List<SparkImage> images) {
        return network.output(PixelAdapter.toNchw(images), false).argMax(1);
    }

    private record Histogram(ClassifierFeatures classifier, int classes, int batch) implements Serializable {
        Iterator<long[]> count(Iterator<Row> rows) {
            long[] counts = new long[classes];
            if (!rows.hasNext()) {
                return List.of(counts).iterator();
            }
            io.atelier.common.compute.ComputeDevice.bindForTask();
            MultiLayerNetwork network = NETWORKS.borrowForTask(classifier, ClassifierFeatures::network);
            List<SparkImage> images = new ArrayList<>(batch);
            while (rows.hasNext()) {
                images.add(SparkImage.fromRow(rows.next().getStruct(0)));
                if (images.size() == batch || !rows.hasNext()) {
                    INDArray predicted = predict(network, images);
                    for (int i = 0; i < images.size(); i++) {
                        counts[predicted.getInt(i)]++;
                    }
                    images.clear();
                }
            }
            return List.of(counts).iterator();
        }
    }
}
