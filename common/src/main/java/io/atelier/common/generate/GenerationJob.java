package io.atelier.common.generate;

import io.atelier.common.compute.DeviceLog;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.DatasetWriter;
import io.atelier.common.data.ImageIds;
import io.atelier.common.data.Manifest;
import io.atelier.common.exec.ExecutorCache;
import io.atelier.common.exec.ProgressPoller;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.SampleGenerator;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.SafePaths;
import io.atelier.common.io.SerializableConfiguration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Generates a dataset: the count is cut into batches aligned to global sample indices, batches
 * are spread over partitions, each partition builds its generator once and streams rows (never
 * collected to the driver), and the rows are written in the dataset format.
 */
public final class GenerationJob {
    private final SparkSession spark;
    private DeviceLog devices;

    public GenerationJob(SparkSession spark) {
        this.spark = spark;
    }

    /** Called with images done so far (as tasks finish) while the job runs. */
    public interface Progress {
        void update(long done, long total);
    }

    public Manifest run(GeneratorSource source, GenerationOptions options, Progress progress) {
        DatasetWriter writer = new DatasetWriter(spark, options.output());
        writer.requireFreshOutput("{out}");
        LongAccumulator done = spark.sparkContext().longAccumulator("generate.done");
        JavaRDD<Row> rows = generate(source, options, done);

        Map<String, Object> provenance = new LinkedHashMap<>();
        Map<String, Object> generation = new LinkedHashMap<>();
        generation.put("count", options.count());
        generation.put("seed", options.seed());
        generation.put("label", options.allLabels() ? "all" : options.label());
        generation.put("batch", options.batch());
        generation.put("model", source.provenance());
        provenance.put("generate", generation);

        try (ProgressPoller poller = ProgressPoller.every(Duration.ofSeconds(1), "generate-progress",
                () -> progress.update(done.value(), options.count()))) {
            return writer.write(spark.createDataFrame(rows, DatasetSchema.ROW),
                    new DatasetWriter.Description(source.size(), source.channels(), options.shards(), source.labelNames(),
                            provenance, null), staging -> { });
        } finally {
            progress.update(done.value(), options.count());
        }
    }

    /**
     * The rows {@link #run} would write ({@link DatasetSchema#ROW}), made where they are consumed
     * and never written: for scoring samples without storing them. {@code options.output()} is unused.
     */
    public Dataset<Row> rows(GeneratorSource source, GenerationOptions options) {
        return spark.createDataFrame(generate(source, options, spark.sparkContext().longAccumulator("generate.done")),
                DatasetSchema.ROW);
    }

    private JavaRDD<Row> generate(GeneratorSource source, GenerationOptions options, LongAccumulator done) {
        List<String> names = source.labelNames();
        if ((options.label() != null || options.allLabels()) && names.isEmpty()) {
            throw new InvalidSettingException("{label}: model " + source.name() + " is not class-conditional;"
                    + " leave {label} out");
        }
        if (options.label() != null && !options.allLabels() && (options.label() < 0 || options.label() >= names.size())) {
            throw new InvalidSettingException("{label} " + options.label() + ": the model has labels 0.."
                    + (names.size() - 1) + " " + names);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<long[]> ranges = partitionRanges(options.count(), options.batch(), options.partitions());
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        devices = DeviceLog.register(spark.sparkContext(), "generate.devices");
        PartitionTask task = new PartitionTask(source, options, names, done, conf, devices);
        return jsc.parallelize(ranges, ranges.size()).flatMap(task::rows);
    }

    /** Where the tasks of the last {@link #run} or {@link #rows} computed ({@code executor 1: gpu 0}), once they ran. */
    public java.util.Set<String> devices() {
        return devices == null ? java.util.Set.of() : devices.value();
    }

    /** [start, end) index ranges: whole batches, spread evenly over at most {@code partitions}. */
    static List<long[]> partitionRanges(long count, int batch, int partitions) {
        long batches = (count + batch - 1) / batch;
        int parts = (int) Math.max(1, Math.min(partitions, batches));
        List<long[]> ranges = new ArrayList<>();
        long firstBatch = 0;
        for (int p = 0; p < parts; p++) {
            long nBatches = batches / parts + (p < batches % parts ? 1 : 0);
            long start = firstBatch * batch;
            long end = Math.min(count, (firstBatch + nBatches) * batch);
            ranges.add(new long[]{start, end});
            firstBatch += nBatches;
        }
        return ranges;
    }

    /**
     * Generators per source in an executor JVM, lent to one task at a time (a generator holds its
     * own buffers). Training evaluation brings a new source (new weights) every time: 4 are kept.
     */
    private static final ExecutorCache.Lending<GeneratorSource, SampleGenerator> GENERATORS =
            new ExecutorCache.Lending<>(4);

    /** The per-partition work, shipped to executors. */
    private record PartitionTask(GeneratorSource source, GenerationOptions options, List<String> names,
                                 LongAccumulator done, Broadcast<SerializableConfiguration> conf,
                                 DeviceLog devices) implements Serializable {

        Iterator<Row> rows(long[] range) {
            devices.bindTask();
            SampleGenerator generator = io.atelier.common.compute.NativeMemory.guard(
                    () -> GENERATORS.borrowForTask(source, s -> s.open(conf.value().get())));
            int batch = options.batch();
            return io.atelier.common.compute.NativeMemory.guard(new Iterator<>() {
                long next = range[0];
                final List<Row> buffer = new ArrayList<>();
                int pos;

                @Override
                public boolean hasNext() {
                    if (pos < buffer.size()) {
                        return true;
                    }
                    if (next >= range[1]) {
                        return false;
                    }
                    fill();
                    return pos < buffer.size();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return buffer.get(pos++);
                }

                private void fill() {
                    buffer.clear();
                    pos = 0;
                    int n = (int) Math.min(batch, range[1] - next);
                    long[] indices = new long[n];
                    int[] labels = new int[n];
                    for (int i = 0; i < n; i++) {
                        indices[i] = next + i;
                        labels[i] = labelOf(indices[i]);
                    }
                    float[] images = generator.generate(options.seed(), indices, labels);
                    buffer.addAll(toRows(images, indices, labels));
                    next += n;
                    done.add(n);
                }
            });
        }

        private int labelOf(long index) {
            if (options.allLabels()) {
                return (int) (index % names.size());
            }
            return options.label() == null ? -1 : options.label();
        }

        private List<Row> toRows(float[] images, long[] indices, int[] labels) {
            List<Row> rows = new ArrayList<>(indices.length);
            int c = source.channels();
            int s = source.size();
            List<byte[]> stored = PixelAdapter.toStored(Nd4j.create(images, new long[]{indices.length, s, s, c}, 'c'));
            for (int i = 0; i < indices.length; i++) {
                byte[] data = stored.get(i);
                String origin = "generated:" + source.name() + "#" + indices[i];
                SparkImage image = new SparkImage(origin, s, s, c, SparkImage.modeFor(c), data);
                String id = ImageIds.contentId(image);
                Integer label = labels[i] < 0 ? null : labels[i];
                String name = label == null ? null : names.get(label);
                if (options.pngDir() != null) {
                    writePng(image, indices[i], name);
                }
                rows.add(RowFactory.create(image.toRow(), id, label, name, DatasetSchema.TRAIN,
                        ImageIds.shardOf(id, options.shards())));
            }
            return rows;
        }

        private void writePng(SparkImage image, long index, String labelName) {
            String folder = labelName == null ? "unlabelled" : SafePaths.segment(labelName);
            Path file = new Path(new Path(options.pngDir(), folder), String.format("sample-%09d.png", index));
            HadoopFiles.writeAtomically(file, ImageGrid.toPng(image.toRgb()), conf.value().get());
        }
    }
}
