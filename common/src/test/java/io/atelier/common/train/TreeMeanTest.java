package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TreeMeanTest {
    private static final LinkedHashMap<String, ModelTrainer.Combine> RULES = new LinkedHashMap<>(Map.of(
            "w", ModelTrainer.Combine.MEAN));

    private static WorkerResult result(int worker, Map<String, float[]> tensors, double loss) {
        return new WorkerResult(worker, new TrainingState(new LinkedHashMap<>(tensors), 99, 99), Map.of("loss", loss), 5, 1, "executor " + worker + ": cpu, 1 thread",
                null);
    }

    private static LinkedHashMap<String, float[]> tensors(float[] w, float[] counter) {
        LinkedHashMap<String, float[]> t = new LinkedHashMap<>();
        t.put("w", w);
        t.put("counter", counter);
        return t;
    }

    @Test
    void meanOfThreeStatesEqualsHandComputedMean() {
        LinkedHashMap<String, ModelTrainer.Combine> rules = new LinkedHashMap<>();
        rules.put("w", ModelTrainer.Combine.MEAN);
        rules.put("counter", ModelTrainer.Combine.FIRST);
        TreeMean mean = TreeMean.empty(3, rules)
                .add(result(2, tensors(new float[]{8, 11, -3}, new float[]{30}), 6))
                .add(result(0, tensors(new float[]{1, 2, 0.5f}, new float[]{10}), 1))
                .add(result(1, tensors(new float[]{3, 5, 1}, new float[]{20}), 2));

        TrainingState state = mean.mean(12, 4);

        assertArrayEquals(new float[]{4, 6, -0.5f}, state.get("w"), "(1+3+8)/3, (2+5+11)/3, (0.5+1-3)/3");
        assertArrayEquals(new float[]{10}, state.get("counter"), "FIRST keeps worker 0's value");
        assertEquals(List.of("w", "counter"), new ArrayList<>(state.tensors().keySet()), "state order is kept");
        assertEquals(12, state.step());
        assertEquals(4, state.round());
        assertEquals(3.0, mean.meanMetrics().get("loss"), "(1+2+6)/3");
        assertEquals(5, mean.maxComputeNanos());
    }

    @Test
    void sumTensorsGatherEachWorkersOwnSliceExactly() {
        LinkedHashMap<String, ModelTrainer.Combine> rules = new LinkedHashMap<>();
        rules.put("pool", ModelTrainer.Combine.SUM);
        // Three workers, one slice of two values each; each returns zeros outside its slice.
        float tiny = Float.MIN_VALUE;
        TreeMean mean = TreeMean.empty(3, rules)
                .add(result(1, Map.of("pool", new float[]{0, 0, 0.1f, -7e30f, 0, 0}), 0))
                .add(result(2, Map.of("pool", new float[]{0, 0, 0, 0, tiny, 1f / 3}), 0))
                .add(result(0, Map.of("pool", new float[]{-0.3f, 5, 0, 0, 0, 0}), 0));

        assertArrayEquals(new float[]{-0.3f, 5, 0.1f, -7e30f, tiny, 1f / 3}, mean.mean(1, 1).get("pool"),
                "each slice comes back bit for bit, not divided by the worker count");
    }

    @Test
    void workersThatAgreeAverageBackToExactlyTheirValue() {
        float v = 0.1f;
        TreeMean mean = TreeMean.empty(3, RULES);
        for (int w = 0; w < 3; w++) {
            mean.add(result(w, Map.of("w", new float[]{v, -v * 7}), 0));
        }
        assertArrayEquals(new float[]{v, -v * 7}, mean.mean(0, 1).get("w"));
    }

    @Test
    void aSingleWorkerStateIsReturnedUnchanged() {
        float[] w = {1.5f, Float.MIN_VALUE, -0f};
        TrainingState state = TreeMean.empty(1, RULES).add(result(0, Map.of("w", w.clone()), 0)).mean(3, 1);
        assertArrayEquals(w, state.get("w"));
    }

    /**
     * Values whose double sum depends on the order of addition: 1e20 + 1 - 1e20 is 0 or 1.
     * Every arrival order and grouping must still give the same bits.
     */
    @Test
    void arrivalOrderAndGroupingDoNotChangeTheBits() {
        float[] values = {1e20f, 1f, -1e20f, 3f, 1e-3f};
        int workers = values.length;
        assertNotEquals(((double) values[0] + values[1]) + values[2], ((double) values[0] + values[2]) + values[1],
                "the test values must be order-sensitive, or this test proves nothing");

        float[] reference = null;
        for (List<Integer> order : permutations(List.of(0, 1, 2, 3, 4))) {
            // one partial per worker, merged in this arrival order (what the driver does)
            TreeMean sequential = TreeMean.empty(workers, RULES);
            for (int w : order) {
                sequential.merge(TreeMean.empty(workers, RULES).add(result(w, Map.of("w", new float[]{values[w]}), w)));
            }
            // treeAggregate's intermediate stage: groups by index mod 2, merged in this order
            TreeMean even = TreeMean.empty(workers, RULES);
            TreeMean odd = TreeMean.empty(workers, RULES);
            for (int w : order) {
                (w % 2 == 0 ? even : odd).add(result(w, Map.of("w", new float[]{values[w]}), w));
            }
            TreeMean grouped = order.get(0) % 2 == 0 ? even.merge(odd) : odd.merge(even);

            float[] a = sequential.mean(0, 1).get("w");
            float[] b = grouped.mean(0, 1).get("w");
            if (reference == null) {
                reference = a;
            }
            assertEquals(Float.floatToRawIntBits(reference[0]), Float.floatToRawIntBits(a[0]), "order " + order);
            assertEquals(Float.floatToRawIntBits(reference[0]), Float.floatToRawIntBits(b[0]), "grouped order " + order);
        }
    }

    @Test
    void aMissingWorkerIsRefused() {
        TreeMean mean = TreeMean.empty(3, RULES)
                .add(result(0, Map.of("w", new float[]{1}), 0))
                .add(result(2, Map.of("w", new float[]{1}), 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> mean.mean(0, 1));
        assertTrue(e.getMessage().contains("[0, 2]"), e.getMessage());
    }

    @Test
    void mismatchedTensorsAreRefusedWithTheirName() {
        TreeMean mean = TreeMean.empty(2, RULES).add(result(0, Map.of("w", new float[]{1, 2}), 0));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> mean.add(result(1, Map.of("w", new float[]{1}), 0)));
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
    }

    @Test
    void leafLevelsPutEveryWorkerAloneInItsResidueClass() {
        for (int workers = 1; workers <= 33; workers++) {
            for (int i = 0; i < workers; i++) {
                int level = TreeMean.leafLevel(i, workers);
                int stride = 1 << level;
                assertTrue(i < stride && i + stride >= workers, "W=" + workers + " worker " + i + " level " + level);
            }
        }
    }

    private static List<List<Integer>> permutations(List<Integer> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<Integer> rest = new ArrayList<>(items);
            Integer head = rest.remove(i);
            for (List<Integer> p : permutations(rest)) {
                List<Integer> full = new ArrayList<>();
                full.add(head);
                full.addAll(p);
                out.add(full);
            }
        }
        return out;
    }
}
