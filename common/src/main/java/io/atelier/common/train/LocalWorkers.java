package io.atelier.common.train;

import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The per-JVM cache of {@link ModelTrainer.LocalWorker}s, so networks and buffers are built once
 * per executor for a worker group, not once per round. A task borrows an idle worker (building one
 * only when none is idle) and gives it back when it succeeds, so two tasks running at once in one
 * JVM never share a worker. A task that failed drops its worker: its buffers may be half-written.
 */
final class LocalWorkers {
    private static final Map<String, Deque<ModelTrainer.LocalWorker>> IDLE = new ConcurrentHashMap<>();

    private LocalWorkers() {
    }

    static ModelTrainer.LocalWorker borrow(String groupId, ModelTrainer trainer) {
        // An executor trains one group at a time: idle workers of earlier groups only hold memory.
        IDLE.keySet().removeIf(id -> !id.equals(groupId));
        ModelTrainer.LocalWorker worker = IDLE.computeIfAbsent(groupId, id -> new ConcurrentLinkedDeque<>()).poll();
        return worker != null ? worker : trainer.newWorker();
    }

    static void giveBack(String groupId, ModelTrainer.LocalWorker worker) {
        IDLE.computeIfAbsent(groupId, id -> new ConcurrentLinkedDeque<>()).push(worker);
    }

    /** Drops a finished group's workers from this JVM. */
    static void release(String groupId) {
        IDLE.remove(groupId);
    }
}
