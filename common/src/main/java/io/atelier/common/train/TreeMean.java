package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;

import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The aggregate of a round: the element-wise mean of the workers' states and the mean of their
 * metrics, bit-for-bit independent of the order in which results arrive.
 *
 * <p>Floating-point addition is not associative, and Spark merges task results in arrival order.
 * So the sum has one fixed shape: a binary tree over worker indices in which the node (level l,
 * residue r) covers the workers i with i mod 2^l = r; its children are the residues r and r + 2^(l-1)
 * at level l + 1, added left (lower residue) first. A partial aggregate holds finished subtrees and
 * joins two siblings as soon as both are present, whichever side they came from. Sums are kept in
 * double, so workers that agree on a value average back to exactly that value. The shape also
 * suits {@code treeAggregate}, whose intermediate stage groups partitions by index modulo a count.
 */
final class TreeMean implements Serializable {
    private final int workers;
    private final LinkedHashMap<String, ModelTrainer.Combine> rules;
    private final HashMap<Long, Node> subtrees = new HashMap<>();
    private final TreeMap<Integer, Map<String, Double>> metrics = new TreeMap<>();
    private final TreeMap<Integer, String> devices = new TreeMap<>();
    private final TreeMap<Integer, Divergence> divergences = new TreeMap<>();
    private long maxComputeNanos;
    private long maxBroadcastNanos;

    private TreeMean(int workers, LinkedHashMap<String, ModelTrainer.Combine> rules) {
        this.workers = workers;
        this.rules = rules;
    }

    /** @param rules every tensor of the state, in state order, with how it is combined */
    static TreeMean empty(int workers, LinkedHashMap<String, ModelTrainer.Combine> rules) {
        return new TreeMean(workers, rules);
    }

    /** The rules for a trainer's state: its tensor names in order and its combine choice for each. */
    static LinkedHashMap<String, ModelTrainer.Combine> rulesFor(ModelTrainer trainer, TrainingState state) {
        LinkedHashMap<String, ModelTrainer.Combine> rules = new LinkedHashMap<>();
        for (String name : state.tensors().keySet()) {
            rules.put(name, trainer.combine(name));
        }
        return rules;
    }

    TreeMean add(WorkerResult result) {
        int worker = result.worker();
        if (worker < 0 || worker >= workers) {
            throw new IllegalStateException("result from worker " + worker + ", but the round has workers 0.." + (workers - 1));
        }
        recordWorker(worker, result.metrics());
        devices.put(worker, result.device());
        if (result.divergence() != null) {
            divergences.put(worker, result.divergence());
        }
        maxComputeNanos = Math.max(maxComputeNanos, result.computeNanos());
        maxBroadcastNanos = Math.max(maxBroadcastNanos, result.broadcastNanos());
        insert(leafLevel(worker, workers), worker, Node.leaf(result.state(), rules, worker));
        return this;
    }

    TreeMean merge(TreeMean other) {
        other.metrics.forEach(this::recordWorker);
        devices.putAll(other.devices);
        divergences.putAll(other.divergences);
        maxComputeNanos = Math.max(maxComputeNanos, other.maxComputeNanos);
        maxBroadcastNanos = Math.max(maxBroadcastNanos, other.maxBroadcastNanos);
        other.subtrees.forEach((key, node) -> insert((int) (key >>> 32), (int) (long) key, node));
        return this;
    }

    /** The mean state with the given counters; fails unless every worker contributed exactly once. */
    TrainingState mean(long step, int round) {
        Node root = subtrees.get(key(0, 0));
        if (metrics.size() != workers || subtrees.size() != 1 || root == null) {
            throw new IllegalStateException("averaging needs results from all " + workers + " workers, got workers "
                    + metrics.keySet());
        }
        LinkedHashMap<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, ModelTrainer.Combine> rule : rules.entrySet()) {
            String name = rule.getKey();
            double[] sum = root.sums.get(name);
            if (sum == null) {
                // a single worker, or a FIRST tensor: worker 0's value as it is
                out.put(name, root.values.get(name));
            } else {
                double divisor = rule.getValue() == ModelTrainer.Combine.SUM ? 1 : workers;
                float[] mean = new float[sum.length];
                for (int i = 0; i < sum.length; i++) {
                    mean[i] = (float) (sum[i] / divisor);
                }
                out.put(name, mean);
            }
        }
        return new TrainingState(out, step, round);
    }

    /** Each metric averaged over the workers that reported it, summed in worker order. */
    Map<String, Double> meanMetrics() {
        TreeSet<String> names = new TreeSet<>();
        metrics.values().forEach(m -> names.addAll(m.keySet()));
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : names) {
            double sum = 0;
            int n = 0;
            for (Map<String, Double> m : metrics.values()) {
                Double v = m.get(name);
                if (v != null) {
                    sum += v;
                    n++;
                }
            }
            out.put(name, sum / n);
        }
        return out;
    }

    /** The workers whose results must not be averaged, in worker order; empty for a sound round. */
    java.util.List<Divergence> divergences() {
        return java.util.List.copyOf(divergences.values());
    }

    /** Where each worker computed, in worker order. */
    java.util.List<String> devices() {
        return java.util.List.copyOf(devices.values());
    }

    /** The slowest worker's time for its K steps: the part of a round that is not overhead. */
    long maxComputeNanos() {
        return maxComputeNanos;
    }

    /** The slowest worker's time to fetch and copy the broadcast state. */
    long maxBroadcastNanos() {
        return maxBroadcastNanos;
    }

    private void recordWorker(int worker, Map<String, Double> workerMetrics) {
        if (metrics.containsKey(worker)) {
            throw new IllegalStateException("worker " + worker + " reported twice in one round");
        }
        metrics.put(worker, new TreeMap<>(workerMetrics));
    }

    /** Adds a finished subtree, joining it with its sibling and upwards while siblings are present. */
    private void insert(int level, int residue, Node node) {
        while (level > 0) {
            int half = 1 << (level - 1);
            Node sibling = subtrees.remove(key(level, residue ^ half));
            if (sibling == null) {
                break;
            }
            boolean nodeIsLeft = (residue & half) == 0;
            node = nodeIsLeft ? Node.join(node, sibling, rules) : Node.join(sibling, node, rules);
            residue &= half - 1;
            level--;
        }
        if (subtrees.put(key(level, residue), node) != null) {
            throw new IllegalStateException("two results for the same workers (level " + level + ", residue " + residue + ")");
        }
    }

    /** The level at which worker i's residue class holds i alone: the least l with 2^l > i and i + 2^l >= W. */
    static int leafLevel(int worker, int workers) {
        int level = 0;
        while ((1 << level) <= worker || worker + (1 << level) < workers) {
            level++;
        }
        return level;
    }

    private static long key(int level, int residue) {
        return ((long) level << 32) | (residue & 0xFFFFFFFFL);
    }

    /** A finished subtree: a leaf keeps the worker's floats; an inner node keeps double sums. */
    private static final class Node implements Serializable {
        /** Leaf: all tensors. Inner: FIRST tensors, taken from the subtree's lowest worker. */
        final LinkedHashMap<String, float[]> values;
        /** Inner: the sums of MEAN tensors. Leaf: empty. */
        final LinkedHashMap<String, double[]> sums;

        private Node(LinkedHashMap<String, float[]> values, LinkedHashMap<String, double[]> sums) {
            this.values = values;
            this.sums = sums;
        }

        static Node leaf(TrainingState state, Map<String, ModelTrainer.Combine> rules, int worker) {
            Map<String, float[]> tensors = state.tensors();
            if (!tensors.keySet().equals(rules.keySet())) {
                throw new IllegalStateException("worker " + worker + " returned tensors " + tensors.keySet()
                        + ", the round started with " + rules.keySet());
            }
            return new Node(new LinkedHashMap<>(tensors), new LinkedHashMap<>());
        }

        /** left + right, tensor by tensor; consumes both (left's sums are reused in place). */
        static Node join(Node left, Node right, Map<String, ModelTrainer.Combine> rules) {
            LinkedHashMap<String, float[]> values = new LinkedHashMap<>();
            LinkedHashMap<String, double[]> sums = new LinkedHashMap<>();
            for (Map.Entry<String, ModelTrainer.Combine> rule : rules.entrySet()) {
                String name = rule.getKey();
                if (rule.getValue() == ModelTrainer.Combine.FIRST) {
                    values.put(name, left.values.get(name));
                    continue;
                }
                double[] acc = left.sums.get(name);
                if (acc == null) {
                    float[] v = left.values.get(name);
                    acc = new double[v.length];
                    for (int i = 0; i < v.length; i++) {
                        acc[i] = v[i];
                    }
                }
                right.addTo(name, acc);
                sums.put(name, acc);
            }
            return new Node(values, sums);
        }

        private void addTo(String name, double[] acc) {
            double[] s = sums.get(name);
            if (s != null) {
                checkLength(name, acc.length, s.length);
                for (int i = 0; i < s.length; i++) {
                    acc[i] += s[i];
                }
            } else {
                float[] v = values.get(name);
                checkLength(name, acc.length, v.length);
                for (int i = 0; i < v.length; i++) {
                    acc[i] += v[i];
                }
            }
        }

        private static void checkLength(String name, int expected, int actual) {
            if (expected != actual) {
                throw new IllegalStateException("tensor '" + name + "' has " + expected + " values on one worker and "
                        + actual + " on another");
            }
        }
    }
}
