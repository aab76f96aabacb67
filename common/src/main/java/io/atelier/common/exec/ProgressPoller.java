package io.atelier.common.exec;

import java.time.Duration;

/**
 * Reads a running job's counters (Spark accumulators, visible as tasks finish) on a daemon thread
 * at a fixed interval, so the driver can report progress while it blocks on the job. Closing stops
 * it and waits for a tick under way, so a caller's final report is the last one.
 */
public final class ProgressPoller implements AutoCloseable {
    private final Thread thread;

    private ProgressPoller(Thread thread) {
        this.thread = thread;
    }

    /** Starts calling {@code tick} every {@code interval}, first after one interval. */
    public static ProgressPoller every(Duration interval, String name, Runnable tick) {
        long ms = interval.toMillis();
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(ms);
                    tick.run();
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return new ProgressPoller(t);
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
