package io.atelier.common.bench;

import com.sun.management.GcInfo;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JVM's live heap: the heap in use at the end of a full collection, as the collector itself
 * reports it. Reading the heap's usage after {@code System.gc()} returns is not the same figure:
 * the request is dropped without a collection while any thread is inside a JNI critical region,
 * and even after a collection other threads (tasks decoding images) fill eden with fresh garbage
 * while the reading thread waits for a core. Either way garbage, often 100 MiB or more on a busy
 * executor, was read as live and made random samples look like peaks. The collector's own
 * after-collection figure, of a collection known to have happened, has neither problem.
 */
final class LiveHeap {
    /** Collectors of the young generation only (or concurrent cycles), whose figures include garbage. */
    private static final List<String> PARTIAL = List.of("young", "scavenge", "copy", "parnew", "concurrent");
    private static final int ATTEMPTS = 50;
    private static final long RETRY_MS = 10;

    private LiveHeap() {
    }

    /**
     * Forces a full collection and returns the heap it left in use, in bytes; -1 when none could
     * be made. A request made while a thread is inside a JNI critical region (the JDK's JPEG
     * decoder pins its buffers that way, many times a second) is dropped without a collection, so
     * the request is repeated a few times. Where the JVM reports no full collections at all (a
     * collector without such a bean), the heap's usage right after the request.
     */
    static long measure() {
        List<com.sun.management.GarbageCollectorMXBean> full = fullCollectors();
        if (full.isEmpty()) {
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long[] before = new long[full.size()];
            for (int i = 0; i < full.size(); i++) {
                before[i] = idOf(full.get(i).getLastGcInfo());
            }
            System.gc();
            GcInfo latest = null;
            for (int i = 0; i < full.size(); i++) {
                GcInfo info = full.get(i).getLastGcInfo();
                if (info != null && info.getId() != before[i]
                        && (latest == null || info.getEndTime() > latest.getEndTime())) {
                    latest = info;
                }
            }
            if (latest != null) {
                return heapUsedAfter(latest);
            }
            try {
                Thread.sleep(RETRY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return -1;
    }

    private static long heapUsedAfter(GcInfo gc) {
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        return gc.getMemoryUsageAfterGc().entrySet().stream().filter(pool -> heapPools.contains(pool.getKey()))
                .mapToLong(pool -> pool.getValue().getUsed()).sum();
    }

    private static long idOf(GcInfo info) {
        return info == null ? -1 : info.getId();
    }

    /** The collectors whose figures {@link #measure} reads: those that collect the whole heap. */
    static List<com.sun.management.GarbageCollectorMXBean> fullCollectors() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(b -> b instanceof com.sun.management.GarbageCollectorMXBean)
                .filter(b -> PARTIAL.stream().noneMatch(b.getName().toLowerCase(Locale.ROOT)::contains))
                .map(b -> (com.sun.management.GarbageCollectorMXBean) b)
                .toList();
    }
}
