package io.atelier.common.generate;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.SampleGenerator;
import io.atelier.common.train.Seeds;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationJobTest {
    static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("generate-tests")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Pixels from (seed, index) plus a label-dependent offset: a stand-in for a trained model. */
    record NoiseSource(List<String> labelNames) implements GeneratorSource {
        @Override
        public SampleGenerator open(org.apache.hadoop.conf.Configuration conf) {
            return (seed, indices, labels) -> {
                float[] out = new float[indices.length * 3 * 8 * 8];
                for (int i = 0; i < indices.length; i++) {
                    SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, indices[i]));
                    for (int p = 0; p < 192; p++) {
                        out[i * 192 + p] = (float) Math.max(-1, Math.min(1, rng.nextDouble(-1, 1) + 0.1 * labels[i]));
                    }
                }
                return out;
            };
        }

        @Override
        public int channels() {
            return 3;
        }

        @Override
        public int size() {
            return 8;
        }

        @Override
        public Map<String, Object> provenance() {
            return Map.of("model", "noise");
        }

        @Override
        public String name() {
            return "noise";
        }
    }

    private Map<Long, byte[]> bytesByIndex(String dir) {
        List<Row> rows = ImageDataset.open(spark, dir).rows(spark).select("image.origin", "image.data").collectAsList();
        return rows.stream().collect(Collectors.toMap(
                r -> Long.parseLong(r.getString(0).substring(r.getString(0).indexOf('#') + 1)), r -> (byte[]) r.get(1)));
    }

    @Test
    void outputIsIdenticalForAnyPartitionCount() {
        NoiseSource source = new NoiseSource(List.of());
        String one = tmp.resolve("one").toString();
        String five = tmp.resolve("five").toString();
        new GenerationJob(spark).run(source, GenerationOptions.of(300, one, 11).withPartitions(1), (d, t) -> { });
        new GenerationJob(spark).run(source, GenerationOptions.of(300, five, 11).withPartitions(5), (d, t) -> { });
        Map<Long, byte[]> a = bytesByIndex(one);
        Map<Long, byte[]> b = bytesByIndex(five);
        assertEquals(300, a.size(), "one row per sample");
        assertEquals(a.keySet(), b.keySet());
        for (long i : a.keySet()) {
            assertArrayEquals(a.get(i), b.get(i), "sample " + i + " differs between 1 and 5 partitions");
        }
        Map<Long, byte[]> other = bytesByIndex(generate(source, GenerationOptions.of(300, tmp.resolve("s12").toString(), 12)));
        assertTrue(a.keySet().stream().anyMatch(i -> !java.util.Arrays.equals(a.get(i), other.get(i))),
                "another seed must give other images");
    }

    private String generate(GeneratorSource source, GenerationOptions options) {
        new GenerationJob(spark).run(source, options, (d, t) -> { });
        return options.output();
    }

    @Test
    void allLabelsSpreadsTheCountEvenlyAndWritesPngsPerLabel() throws Exception {
        NoiseSource source = new NoiseSource(List.of("cat", "dog", "T-shirt/top"));
        String out = tmp.resolve("labelled").toString();
        Path png = tmp.resolve("png");
        Manifest m = new GenerationJob(spark).run(source,
                GenerationOptions.of(100, out, 3).withLabels(null, true).withPngDir(png.toString()), (d, t) -> { });
        assertEquals(100, m.counts().rows());
        Map<Integer, Long> perLabel = ImageDataset.open(spark, out).rows(spark).groupBy(DatasetSchema.LABEL).count()
                .collectAsList().stream().collect(Collectors.toMap(r -> r.getInt(0), r -> r.getLong(1)));
        assertEquals(Map.of(0, 34L, 1, 33L, 2, 33L), perLabel, "100 samples over 3 classes");
        assertEquals(List.of("cat", "dog", "T-shirt/top"), m.labelNames());
        try (var files = Files.walk(png)) {
            assertEquals(100, files.filter(f -> f.toString().endsWith(".png")).count(), "one PNG per sample");
        }
        assertTrue(Files.isDirectory(png.resolve("T-shirt_top")), "label folder names are file-system safe");
        assertEquals(3L, ((Map<?, ?>) m.provenance().get("generate")).get("seed") instanceof Number n ? n.longValue() : -1);
    }

    @Test
    void refusesAnExistingOutputAndAnUnknownLabel() throws Exception {
        NoiseSource source = new NoiseSource(List.of("a", "b"));
        Path out = tmp.resolve("taken");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "x");
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class, () -> new GenerationJob(spark)
                .run(source, GenerationOptions.of(10, out.toString(), 1), (d, t) -> { }));
        assertTrue(taken.getMessage().contains("already exists"), taken.getMessage());
        assertTrue(Files.exists(out.resolve("keep.txt")), "nothing touched");
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class, () -> new GenerationJob(spark)
                .run(source, GenerationOptions.of(10, tmp.resolve("l").toString(), 1).withLabels(5, false), (d, t) -> { }));
        assertTrue(label.getMessage().contains("0..1"), label.getMessage());
    }

    /** The noise source, refusing to open a generator anywhere but in a Spark task. */
    record TaskOnlySource(NoiseSource noise) implements GeneratorSource {
        @Override
        public SampleGenerator open(org.apache.hadoop.conf.Configuration conf) {
            if (org.apache.spark.TaskContext.get() == null) {
                throw new IllegalStateException("a generator was opened on the driver, outside any task");
            }
            return noise.open(conf);
        }

        @Override
        public List<String> labelNames() {
            return noise.labelNames();
        }

        @Override
        public int channels() {
            return noise.channels();
        }

        @Override
        public int size() {
            return noise.size();
        }

        @Override
        public Map<String, Object> provenance() {
            return noise.provenance();
        }

        @Override
        public String name() {
            return noise.name();
        }
    }

    /** Bytes that all tasks ending while it listens sent back to the driver as their results. */
    static final class TaskResultBytes extends org.apache.spark.scheduler.SparkListener {
        final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
            bytes.addAndGet(end.taskMetrics().resultSize());
        }
    }

    private long resultBytesOfARun(long count, String out) throws java.util.concurrent.TimeoutException {
        TaskResultBytes listener = new TaskResultBytes();
        spark.sparkContext().listenerBus().waitUntilEmpty();
        spark.sparkContext().addSparkListener(listener);
        try {
            Manifest m = new GenerationJob(spark).run(new TaskOnlySource(new NoiseSource(List.of())),
                    GenerationOptions.of(count, out, 5).withPartitions(4), (d, t) -> { });
            assertEquals(count, m.counts().rows(), "one row per sample");
            spark.sparkContext().listenerBus().waitUntilEmpty();
            return listener.bytes.get();
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
    }

    @Test
    void rowsAreMadeInTasksAndWhatTasksSendTheDriverDoesNotGrowWithTheCount() throws Exception {
        // At any count the driver sees only task bookkeeping, never rows: a collect of the rows (or
        // generating on the driver) would add about 200 bytes an image.
        long small = resultBytesOfARun(1_000, tmp.resolve("small").toString());
        long large = resultBytesOfARun(10_000, tmp.resolve("large").toString());
        long imageBytes = 8 * 8 * 3;
        assertTrue(large - small < 8 * 1024, "tasks sent the driver " + small + " bytes for 1,000 images and "
                + large + " for 10,000: per-image data reaches the driver (an image is " + imageBytes + " bytes)");
        assertTrue(large < 10_000 * imageBytes / 20, large + " bytes of task results for 10,000 images of "
                + imageBytes + " bytes");
        assertEquals(10_000, ImageDataset.open(spark, tmp.resolve("large").toString()).rows(spark)
                .select("image.origin").distinct().count(), "every sample once");
    }

    @Test
    void partitionRangesAreWholeBatchesCoveringTheCount() {
        List<long[]> r = GenerationJob.partitionRanges(1000, 64, 3);
        assertEquals(3, r.size());
        assertEquals(0, r.get(0)[0]);
        assertEquals(1000, r.get(2)[1]);
        for (int i = 0; i < r.size(); i++) {
            assertEquals(0, r.get(i)[0] % 64, "range starts on a batch boundary");
            if (i > 0) {
                assertEquals(r.get(i - 1)[1], r.get(i)[0], "ranges are contiguous");
            }
        }
        assertEquals(1, GenerationJob.partitionRanges(10, 64, 8).size(), "never more partitions than batches");
    }
}
