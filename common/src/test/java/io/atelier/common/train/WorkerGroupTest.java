package io.atelier.common.train;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.runs.TrainingState;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerGroupTest {
    private static final int SHARDS = 5;
    private static final int PER_SHARD = 12;

    @TempDir
    static Path tmp;
    private static SparkSession spark;
    private static ImageDataset dataset;

    @BeforeAll
    static void start() throws Exception {
        spark = TestSpark.builder("local[2]").getOrCreate();
        dataset = ImageDataset.open(spark, TinyDataset.write(spark, tmp.resolve("data"), SHARDS, PER_SHARD).toString());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void workerWHoldsTheTrainRowsOfShardsCongruentToW() {
        int train = TinyDataset.trainPerShard(PER_SHARD);
        JavaRDD<WorkerData> data = WorkerDataLoader.load(spark, dataset, 2, RowLabeler.CLASS, spark.sparkContext().longAccumulator());
        try {
            assertEquals(2, data.getNumPartitions());
            assertEquals(WorkerDataLoader.STORAGE, data.getStorageLevel());
            List<WorkerData> workers = data.collect();
            // shards 0, 2, 4 go to worker 0; shards 1, 3 to worker 1
            assertEquals(List.of(0, 1), workers.stream().map(WorkerData::worker).toList());
            assertEquals(3 * train, workers.get(0).count());
            assertEquals(2 * train, workers.get(1).count());
            for (WorkerData w : workers) {
                for (int label : w.labels()) {
                    assertTrue(label == 0 || label == 1, "label " + label);
                }
            }
        } finally {
            data.unpersist(false);
        }
    }

    @Test
    void severalInputsJoinIntoOneWorkerDataLabelledByInputIndex() throws Exception {
        int second = 3;
        ImageDataset other = ImageDataset.open(spark, TinyDataset.write(spark, tmp.resolve("data-b"), second, 6).toString());
        List<WorkerData> joined = loadAll(List.of(dataset, other));
        List<WorkerData> first = loadAll(List.of(dataset));
        List<WorkerData> only = loadAll(List.of(other));
        int train = TinyDataset.trainPerShard(PER_SHARD);
        int trainB = TinyDataset.trainPerShard(6);
        // worker 0: shards 0, 2, 4 of the first and 0, 2 of the second; worker 1: 1, 3 and 1
        assertEquals(List.of(3 * train + 2 * trainB, 2 * train + trainB), joined.stream().map(WorkerData::count).toList());
        for (int w = 0; w < 2; w++) {
            WorkerData d = joined.get(w);
            assertEquals(w, d.worker());
            // the two inputs' ids overlap (both are s0-000, ...): a row's label says which input it is
            assertArrayEquals(first.get(w).pixels(), rowsLabelled(d, 0), "worker " + w + ": input 0's images, in order");
            assertArrayEquals(only.get(w).pixels(), rowsLabelled(d, 1), "worker " + w + ": input 1's images, in order");
        }
        List<WorkerData> again = loadAll(List.of(dataset, other));
        for (int w = 0; w < 2; w++) {
            assertArrayEquals(joined.get(w).pixels(), again.get(w).pixels(), "same order in every load");
            assertArrayEquals(joined.get(w).labels(), again.get(w).labels());
        }
    }

    private static List<WorkerData> loadAll(List<ImageDataset> inputs) {
        JavaRDD<WorkerData> data = WorkerDataLoader.load(spark, inputs, 2, RowLabeler.CLASS,
                spark.sparkContext().longAccumulator());
        try {
            return data.collect();
        } finally {
            data.unpersist(false);
        }
    }

    /** The images of a worker's data with {@code label}, one after another, in their order there. */
    private static byte[] rowsLabelled(WorkerData d, int label) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int n = 0; n < d.count(); n++) {
            if (d.labels()[n] == label) {
                out.write(d.pixels(), n * d.imageSize(), d.imageSize());
            }
        }
        return out.toByteArray();
    }

    @Test
    void storedBgrInterleavedIsKeptAsStoredImageAfterImage() {
        // two pixels, stored (b, g, r): (1, 2, 3) and (4, 5, 6); then a second image
        StoredImage img = new StoredImage("a", 1, 1, 2, 3, new byte[]{1, 2, 3, 4, 5, 6});
        StoredImage next = new StoredImage("b", 0, 1, 2, 3, new byte[]{7, 8, 9, 10, 11, 12});
        WorkerData d = WorkerDataLoader.decode(0, List.of(img, next), new WorkerDataLoader.Shape(3, 1, 2));
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, d.pixels(), "as stored, image after image");
        assertArrayEquals(new int[]{1, 0}, d.labels());
        float[] batch = new float[6];
        int[] labels = new int[1];
        d.batch(new int[]{1}, batch, labels);
        assertArrayEquals(new float[]{7 / 127.5f - 1f, 8 / 127.5f - 1f, 9 / 127.5f - 1f, 10 / 127.5f - 1f,
                11 / 127.5f - 1f, 12 / 127.5f - 1f}, batch, 0f, "image 1 widened to [-1, 1], stored order");
        assertArrayEquals(new int[]{0}, labels);

        StoredImage gray = new StoredImage("g", -1, 2, 1, 1, new byte[]{7, 9});
        assertArrayEquals(new byte[]{7, 9}, WorkerDataLoader.decode(0, List.of(gray), new WorkerDataLoader.Shape(1, 2, 1)).pixels());
    }

    @Test
    void imageOfTheWrongSizeIsRefusedNamingIt() {
        StoredImage img = new StoredImage("odd-one", 0, 2, 2, 3, new byte[12]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkerDataLoader.decode(0, List.of(img), new WorkerDataLoader.Shape(3, 4, 4)));
        assertTrue(e.getMessage().contains("odd-one"), e.getMessage());
    }

    @Test
    void roundsUseTheCacheAndNeverDecodeAgain() {
        TinyLogisticTrainer trainer = new TinyLogisticTrainer(TinyDataset.INPUTS, 4, 0.05f);
        try (WorkerGroup group = WorkerGroup.load(spark, trainer, dataset, 2)) {
            long train = (long) SHARDS * TinyDataset.trainPerShard(PER_SHARD);
            assertEquals(train, group.trainImages());
            TrainingState state = trainer.initialState(1);
            for (int r = 0; r < 3; r++) {
                state = group.runRound(state, 2, 1).state();
            }
            assertEquals(train, group.imagesDecoded(), "each image decoded once, not once per round");
            assertEquals(3, state.round());
            assertEquals(6, state.step());
        }
    }

    @Test
    void theTrainerSteersTheAveragedStateOncePerRoundFromTheRoundsMetrics() {
        Steered trainer = new Steered(new TinyLogisticTrainer(TinyDataset.INPUTS, 4, 0.05f));
        try (WorkerGroup group = WorkerGroup.load(spark, trainer, dataset, 2)) {
            TrainingState state = trainer.initialState(1);
            double expected = 0;
            for (int r = 0; r < 3; r++) {
                RoundResult result = group.runRound(state, 2, 1);
                state = result.state();
                // 2 workers x 2 steps x 4 images; the value written last round came back from the workers
                expected = (float) (expected + result.metrics().get("accuracy") * 16);
                assertEquals(expected, state.get(Steered.TENSOR)[0], 0.0, "round " + (r + 1));
            }
            assertEquals(List.of(16L, 16L, 16L), trainer.imagesSeen);
        }
    }

    /** Tiny logistic regression plus one tensor the driver moves by accuracy x images after every round. */
    private static final class Steered implements ModelTrainer {
        static final String TENSOR = "steered";
        private final TinyLogisticTrainer inner;
        private final transient List<Long> imagesSeen = new java.util.ArrayList<>();

        Steered(TinyLogisticTrainer inner) {
            this.inner = inner;
        }

        @Override
        public TrainingState initialState(long seed) {
            TrainingState s = inner.initialState(seed);
            s.put(TENSOR, new float[1]);
            return s;
        }

        @Override
        public Combine combine(String tensorName) {
            return TENSOR.equals(tensorName) ? Combine.FIRST : inner.combine(tensorName);
        }

        @Override
        public void afterAveraging(TrainingState averaged, java.util.Map<String, Double> metrics, long images) {
            imagesSeen.add(images);
            float[] t = averaged.get(TENSOR);
            t[0] = (float) (t[0] + metrics.get("accuracy") * images);
        }

        @Override
        public LocalWorker newWorker() {
            return inner.newWorker();
        }

        @Override
        public float[] sampleGrid(TrainingState state, long seed, int count) {
            return inner.sampleGrid(state, seed, count);
        }

        @Override
        public double emaDecay() {
            return inner.emaDecay();
        }

        @Override
        public int imagesPerStep() {
            return inner.imagesPerStep();
        }

        @Override
        public List<String> metricNames() {
            return inner.metricNames();
        }
    }

    @Test
    void aWorkerWithoutImagesOfAnInputIsNamedWithTheInput() throws Exception {
        Path half = TinyDataset.write(spark, tmp.resolve("half"), 2, 6);
        // shard 1's rows gone: worker 1 of 2 holds rows of the first input only
        try (var files = java.nio.file.Files.walk(half.resolve("shard=1"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        TinyLogisticTrainer trainer = new TinyLogisticTrainer(TinyDataset.INPUTS, 4, 0.05f);
        List<ImageDataset> inputs = List.of(dataset, ImageDataset.open(spark, half.toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkerGroup.load(spark, trainer, inputs, 2));
        assertTrue(e.getMessage().startsWith("worker 1 of 2 has no training images in dataset " + half), e.getMessage());
    }

    @Test
    void moreWorkersThanShardsIsRefused() {
        TinyLogisticTrainer trainer = new TinyLogisticTrainer(TinyDataset.INPUTS, 4, 0.05f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkerGroup.load(spark, trainer, dataset, SHARDS + 1));
        assertTrue(e.getMessage().contains("5 shards"), e.getMessage());
    }
}
