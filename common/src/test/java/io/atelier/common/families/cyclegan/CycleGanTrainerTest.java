package io.atelier.common.families.cyclegan;

import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.LocalSteps;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.WorkerData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CycleGanTrainerTest {
    private static final int SIZE = 12;

    /** Narrow networks over 12x12 grey images: the wiring is the same as at full size. */
    static CycleGanConfig tiny(int workers, int poolSize, int rounds) {
        return new CycleGanConfig(SIZE, 1, 4, 1, 4, 2, List.of("top"), List.of("bottom"), List.of(0), List.of(2), 2, 2e-3,
                0.5, 0.999, 10, 0.5, poolSize, workers, rounds, rounds / 2);
    }

    /**
     * Worker {@code worker}'s images: class 0 a bright band at the top, class 2 at the bottom,
     * class 1 (in neither domain) all bright, with noise.
     */
    static WorkerData bands(int worker, int count, long seed) {
        Rng rng = new Rng(seed);
        byte[] pixels = new byte[count * SIZE * SIZE];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 3;
            for (int y = 0; y < SIZE; y++) {
                boolean on = labels[i] == 1 || (labels[i] == 0 ? y < 4 : y >= SIZE - 4);
                for (int x = 0; x < SIZE; x++) {
                    pixels[i * SIZE * SIZE + y * SIZE + x] = (byte) ((on ? 210 : 30) + rng.nextInt(21) - 10);
                }
            }
        }
        return new WorkerData(worker, count, 1, SIZE, SIZE, pixels, labels);
    }

    private static CycleGanTrainer trainer(CycleGanConfig config) {
        WorkerData grid = bands(0, 3, 1);
        float[] a = new float[SIZE * SIZE];
        float[] b = new float[SIZE * SIZE];
        grid.batch(new int[]{0}, a, null);
        grid.batch(new int[]{2}, b, null);
        return new CycleGanTrainer(config, a, b);
    }

    @Test
    void aTinyRunLowersTheCycleLossAndChangesEveryNetwork() {
        CycleGanConfig config = tiny(1, 4, 40);
        CycleGanTrainer trainer = trainer(config);
        TrainingState state = trainer.initialState(3);
        TrainingState initial = state.copy();
        WorkerData data = bands(0, 30, 7);
        ModelTrainer.LocalWorker worker = trainer.newWorker();
        Map<String, Double> first = LocalSteps.run(trainer, worker, state, data, 5, 11, 0);
        Map<String, Double> last = first;
        for (int round = 1; round < 8; round++) {
            last = LocalSteps.run(trainer, worker, state, data, 5, 11, round);
        }
        assertEquals(CycleGanTrainer.METRICS, List.copyOf(last.keySet()));
        last.forEach((k, v) -> assertTrue(Double.isFinite(v), k + " = " + v));
        double cycleBefore = first.get("cycle_a") + first.get("cycle_b");
        double cycleAfter = last.get("cycle_a") + last.get("cycle_b");
        assertTrue(cycleAfter < 0.7 * cycleBefore, "cycle loss " + cycleBefore + " -> " + cycleAfter);
        for (String name : List.of(CycleGanTrainer.G_PARAMS, CycleGanTrainer.F_PARAMS, CycleGanTrainer.DA_PARAMS,
                CycleGanTrainer.DB_PARAMS)) {
            assertFalse(Arrays.equals(initial.get(name), state.get(name)), name + " did not change");
        }
        float[] counts = state.get(CycleGanTrainer.POOL_COUNTS);
        assertArrayEquals(new float[]{4, 4}, counts, "40 steps of 2 fakes fill both pools of 4");

        float[] grid = trainer.sampleGrid(state, 0, 1);
        assertEquals(6 * SIZE * SIZE, grid.length, "one triplet per domain");
        for (float v : grid) {
            assertTrue(v >= -1f && v <= 1f, "pixel " + v + " outside [-1, 1]");
        }
    }

    @Test
    void sameSeedsGiveBitIdenticalStatesPoolsIncluded() {
        CycleGanConfig config = tiny(2, 3, 4);
        CycleGanTrainer trainer = trainer(config);
        WorkerData data = bands(1, 18, 5);
        TrainingState a = trainer.initialState(42);
        TrainingState b = trainer.initialState(42);
        assertTrue(a.bitIdentical(b));
        assertFalse(a.bitIdentical(trainer.initialState(43)), "initial states ignore the seed");
        ModelTrainer.LocalWorker reused = trainer.newWorker();
        LocalSteps.run(trainer, reused, a, data, 2, 7, 0);
        LocalSteps.run(trainer, reused, a, data, 2, 7, 1);
        LocalSteps.run(trainer, trainer.newWorker(), b, data, 2, 7, 0);
        LocalSteps.run(trainer, trainer.newWorker(), b, data, 2, 7, 1);
        assertTrue(a.bitIdentical(b), "two runs with the same seeds diverged");

        // Worker 1 of 2 owns the second slice of each pool; the first stays zero for the sum.
        int slice = config.poolSize() * config.imageFloats();
        float[] pool = a.get(CycleGanTrainer.POOL_A);
        assertTrue(allZero(Arrays.copyOfRange(pool, 0, slice)), "worker 1 wrote outside its pool slice");
        assertFalse(allZero(Arrays.copyOfRange(pool, slice, 2 * slice)), "worker 1's pool is empty");
        assertArrayEquals(new float[]{0, 0, 3, 3}, a.get(CycleGanTrainer.POOL_COUNTS));
        assertEquals(ModelTrainer.Combine.SUM, trainer.combine(CycleGanTrainer.POOL_B));
        assertEquals(ModelTrainer.Combine.MEAN, trainer.combine(CycleGanTrainer.G_PARAMS));
    }

    private static boolean allZero(float[] v) {
        for (float x : v) {
            if (x != 0f) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aFullPoolSwapsAboutHalfOfTheImagesAndRerunsSwapTheSameOnes() {
        int capacity = 5;
        int imageFloats = 3;
        float[][] runs = new float[2][];
        int swapped = 0;
        int queried = 0;
        for (int run = 0; run < 2; run++) {
            INDArray storage = HostArrays.of(new float[capacity * imageFloats], capacity, imageFloats);
            ImagePool pool = new ImagePool(storage, 0);
            Rng rng = new Rng(99);
            float next = 1;
            for (int q = 0; q < 400; q++) {
                float[] rows = new float[2 * imageFloats];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = next + i / imageFloats;
                }
                INDArray batch = HostArrays.of(rows, 2, imageFloats);
                pool.query(batch, rng);
                float[] seen = HostArrays.toArray(batch);
                if (q * 2 >= capacity && run == 0) {
                    for (int r = 0; r < 2; r++) {
                        queried++;
                        if (seen[r * imageFloats] != next + r) {
                            swapped++;
                            assertTrue(seen[r * imageFloats] < next + r, "a swapped-in image was stored before this one");
                        }
                    }
                }
                if ((q + 1) * 2 <= capacity) {
                    assertArrayEquals(rows, seen, "images pass through while the pool fills");
                }
                next += 2;
            }
            assertEquals(capacity, pool.count());
            runs[run] = HostArrays.toArray(storage);
        }
        double share = swapped / (double) queried;
        assertTrue(share > 0.42 && share < 0.58, "share of stored images returned once full: " + share);
        assertArrayEquals(runs[0], runs[1], "the same draws store the same images");
    }

    @Test
    void theLearningRateIsConstantThenFallsLinearlyWithoutReachingZero() {
        CycleGanConfig config = tiny(1, 0, 10);
        for (int r = 0; r < 5; r++) {
            assertEquals(1.0, config.learningRateFactor(r), "round " + r);
        }
        assertEquals(1 - 1 / 6.0, config.learningRateFactor(5), 1e-12);
        assertEquals(1 / 6.0, config.learningRateFactor(9), 1e-12);
    }

    @Test
    void aWorkerWithoutImagesOfADomainNamesItAndTheFix() {
        CycleGanConfig config = tiny(1, 2, 2);
        CycleGanTrainer trainer = trainer(config);
        WorkerData onlyTop = new WorkerData(0, 2, 1, SIZE, SIZE, new byte[2 * SIZE * SIZE], new int[]{0, 0});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalSteps.run(trainer, trainer.newWorker(), trainer.initialState(1), onlyTop, 1, 1, 0));
        assertTrue(e.getMessage().contains("domain B [bottom]") && e.getMessage().contains("use fewer workers"), e.getMessage());
    }
}
