package io.atelier.common.exec;

import org.apache.spark.TaskContext;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The one policy for what an executor JVM keeps between tasks (networks, stylizers, generators,
 * feature extractors), held by each map stage in a static field of its own:
 * <ul>
 *   <li><b>Keyed</b> by a value that names the network and its weights (a spec's key string, or a
 *       source whose {@code equals} covers its weights): equal keys share one value.</li>
 *   <li><b>Bounded</b>: at most {@code capacity} keys per JVM; asking for one more drops the least
 *       recently used (left to the garbage collector, not closed) and then asks for a collection:
 *       a dropped network's ND4J buffers are native memory (a diffusion sampler holds about 1 GB)
 *       that only a collection frees, and the small Java objects that own them never fill the heap
 *       enough to start one, so without it a JVM that goes through many keys (prompt-fidelity
 *       builds one generator per prompt) grows until the system kills it.</li>
 *   <li><b>Built once</b> per key and JVM, by the first task that asks; tasks asking for the same key
 *       meanwhile wait for that build rather than make a second one, and other keys are not held up.
 *       A build that throws is not kept: the next task tries again.</li>
 *   <li><b>Reused</b> by every later task, and later job, in that JVM.</li>
 *   <li><b>Thread-safe</b>: {@link #get} hands every task the same value, so a cached value must be
 *       safe to use from several tasks at once. A value with per-call state (buffers) is cached
 *       through {@link Lending} instead, which lends each instance to one task at a time.</li>
 * </ul>
 */
public final class ExecutorCache<K, V> {
    private final int capacity;
    private final Map<K, FutureTask<V>> values;
    private final AtomicInteger builds = new AtomicInteger();
    private final AtomicInteger evictions = new AtomicInteger();

    public ExecutorCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.values = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, FutureTask<V>> eldest) {
                boolean drop = size() > ExecutorCache.this.capacity;
                if (drop) {
                    evictions.incrementAndGet();
                }
                return drop;
            }
        };
    }

    /**
     * The value for {@code key}, built by {@code build} if this JVM does not hold it yet. A build may
     * use other caches (a stylizer fetches its feature network) but not ask this one for its own key.
     */
    public V get(K key, Function<? super K, ? extends V> build) {
        FutureTask<V> mine = null;
        FutureTask<V> value;
        boolean evicted = false;
        synchronized (values) {
            value = values.get(key);
            if (value == null) {
                mine = new FutureTask<>(() -> {
                    builds.incrementAndGet();
                    return build.apply(key);
                });
                int before = evictions.get();
                values.put(key, mine);
                value = mine;
                evicted = evictions.get() != before;
            }
        }
        if (evicted) {
            // Outside the lock, before the build allocates: frees the dropped value's native memory.
            System.gc();
        }
        if (mine != null) {
            mine.run(); // outside the lock: a slow build holds up only the tasks that need this key
        }
        try {
            return value.get();
        } catch (ExecutionException e) {
            synchronized (values) {
                values.remove(key, value);
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("building the executor's value for " + key + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while another task built the value for " + key, e);
        } catch (CancellationException e) {
            throw new IllegalStateException("the build of " + key + " was cancelled", e);
        }
    }

    /** Keys held now (at most the capacity). */
    public int size() {
        synchronized (values) {
            return values.size();
        }
    }

    /** Keys dropped for others since the JVM started. */
    public int evictions() {
        return evictions.get();
    }

    /** Values this cache has built since the JVM started (tests check that tasks share them). */
    public int builds() {
        return builds.get();
    }

    /**
     * The same policy for values that must not be used by two tasks at once: per key, the idle
     * instances. A task borrows one (an idle one, or a new one when all are in use, so a JVM holds
     * at most one per task running at once) and gives it back when it succeeds; a task that failed
     * drops its instance, whose buffers may be half-written. Bounded, keyed and thread-safe as above.
     */
    public static final class Lending<K, V> {
        private final ExecutorCache<K, Deque<V>> idle;
        private final AtomicInteger builds = new AtomicInteger();

        public Lending(int capacity) {
            this.idle = new ExecutorCache<>(capacity);
        }

        /**
         * An instance for {@code key}, given back when the running Spark task succeeds. Outside a
         * task (on the driver) nothing gives it back: call {@link #giveBack} when done with it.
         */
        public V borrowForTask(K key, Function<? super K, ? extends V> build) {
            V value = borrow(key, build);
            TaskContext task = TaskContext.get();
            if (task != null) {
                task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) t -> {
                    if (!t.isFailed() && !t.isInterrupted()) {
                        giveBack(key, value);
                    }
                });
            }
            return value;
        }

        public V borrow(K key, Function<? super K, ? extends V> build) {
            Deque<V> instances = idle.get(key, k -> new ArrayDeque<>());
            synchronized (instances) {
                V value = instances.pollFirst();
                if (value != null) {
                    return value;
                }
            }
            builds.incrementAndGet();
            return build.apply(key);
        }

        public void giveBack(K key, V value) {
            Deque<V> instances = idle.get(key, k -> new ArrayDeque<>());
            synchronized (instances) {
                instances.addFirst(value);
            }
        }

        /** Instances this pool has built since the JVM started (tests check that tasks share them). */
        public int builds() {
            return builds.get();
        }
    }
}
