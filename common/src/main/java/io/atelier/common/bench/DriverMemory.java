package io.atelier.common.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The driver's memory while one job runs: a thread of this JVM takes the live heap (what a forced
 * full collection leaves, {@link LiveHeap}) every {@link #PERIOD_MS} ms, and the kernel's peak
 * resident set is reset at the start and read at the end ({@link ProcessMemory}). With a local
 * master the executors run in this JVM too, so the figures include their tasks.
 */
final class DriverMemory {
    // Not every second, as ExecutorHeap samples: on a loaded 2-core machine a forced full collection
    // took about a second, and the collections then stopped the job for half of its time.
    static final long PERIOD_MS = 10_000;

    /**
     * Bytes: live heap before the job, the median and largest sample during it, after it; the
     * process's peak resident set over the job (-1 where the system does not say); samples taken.
     */
    record Figures(long before, long median, long peak, long after, long peakResident, int samples) {
    }

    private final List<Long> samples = Collections.synchronizedList(new ArrayList<>());
    private final long before;
    private final Thread sampler;

    private DriverMemory() {
        before = LiveHeap.measure();
        ProcessMemory.resetPeak();
        sampler = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(PERIOD_MS);
                    long live = LiveHeap.measure();
                    if (live >= 0) {
                        samples.add(live);
                    }
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
        }, "bench-driver-heap");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Takes the heap before the job and starts sampling. */
    static DriverMemory start() {
        return new DriverMemory();
    }

    /** Stops sampling; the figures of the job between {@link #start()} and now. */
    Figures stop() {
        sampler.interrupt();
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long peakResident = ProcessMemory.peakResidentBytes();
        long after = LiveHeap.measure();
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        long median = sorted.isEmpty() ? after : sorted.get(sorted.size() / 2);
        long peak = sorted.isEmpty() ? after : sorted.get(sorted.size() - 1);
        return new Figures(before, median, peak, after, peakResident, sorted.size());
    }

    /** The system's 1-minute load average, formatted, or "n/a". */
    static String loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "n/a" : BenchSupport.fmt("%.1f", load);
    }

    static String mib(long bytes) {
        return bytes < 0 ? "n/a" : BenchSupport.fmt("%.0f", bytes / (1024.0 * 1024.0));
    }
}
