package io.atelier.common.nn;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the hand-written loops over independent rows (samples, or sample and group) on a few
 * threads. Work is only ever split between rows, each row is computed by one thread exactly as
 * the serial loop computes it, and nothing is summed across threads, so results are
 * bit-identical for every thread count. The backend's OpenMP threads and these never run at the
 * same time within one step, so both may use every core the task owns (idle OpenMP threads must
 * sleep, not spin: OMP_WAIT_POLICY=PASSIVE, see {@code NativeThreads}). The count follows
 * {@code NativeThreads} (a Spark task's CPU share, a benchmark's {@code --threads}) unless the
 * system property {@value #THREADS_PROPERTY} fixes it.
 */
public final class Parallel {
    public static final String THREADS_PROPERTY = "atelier.nn.threads";
    /** Fewer values than this per chunk cost more to hand over than to compute. */
    private static final long MIN_CHUNK_WORK = 1 << 14;
    private static final int CHUNKS_PER_THREAD = 4;
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Worker(r);
        t.setDaemon(true);
        return t;
    });
    private static volatile int threads = Math.max(1, Integer.getInteger(THREADS_PROPERTY,
            Runtime.getRuntime().availableProcessors()));

    private Parallel() {
    }

    /** One contiguous chunk [from, to) of rows, run on one thread. */
    @FunctionalInterface
    public interface Rows {
        void run(int from, int to);
    }

    public static int threads() {
        return threads;
    }

    /** Sets the thread count for later loops (values below 1 mean 1). */
    public static void setThreads(int count) {
        threads = Math.max(1, count);
    }

    /** Whether {@value #THREADS_PROPERTY} fixes the count, so the native thread count does not move it. */
    public static boolean fixedByProperty() {
        return System.getProperty(THREADS_PROPERTY) != null;
    }

    /**
     * Runs {@code body} over rows [0, n) in contiguous chunks, on the caller and up to
     * {@link #threads()} - 1 helpers; {@code rowWork} (about the values each row touches) keeps
     * small loops on the caller's thread. Chunks are handed out as threads come free, a few per
     * thread, so a helper the OS has not scheduled yet (a shared machine) delays little: the
     * others take its chunks, and a helper that has not started by the end is skipped.
     */
    public static void rows(int n, long rowWork, Rows body) {
        int t = threads;
        int chunks = (int) Math.min(Math.min(CHUNKS_PER_THREAD * t, n), Math.max(1, n * rowWork / MIN_CHUNK_WORK));
        if (t <= 1 || chunks <= 1 || Thread.currentThread() instanceof Worker) {
            body.run(0, n);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable drain = () -> {
            for (int i = next.getAndIncrement(); i < chunks; i = next.getAndIncrement()) {
                body.run(start(n, chunks, i), start(n, chunks, i + 1));
            }
        };
        Future<?>[] helpers = new Future<?>[Math.min(t, chunks) - 1];
        // Whoever sets a helper's flag first decides: the helper runs, or it will do nothing.
        AtomicBoolean[] claimed = new AtomicBoolean[helpers.length];
        for (int i = 0; i < helpers.length; i++) {
            AtomicBoolean mine = new AtomicBoolean();
            claimed[i] = mine;
            helpers[i] = POOL.submit(() -> {
                if (mine.compareAndSet(false, true)) {
                    drain.run();
                }
            });
        }
        Throwable failure = null;
        try {
            drain.run();
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(chunks);
        }
        for (int i = 0; i < helpers.length; i++) {
            if (!claimed[i].compareAndSet(false, true)) {
                failure = await(helpers[i], failure);
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure != null) {
            throw (Error) failure;
        }
    }

    private static int start(int n, int chunks, int i) {
        return (int) ((long) n * i / chunks);
    }

    /** Waits for every chunk, even after a failure, so no chunk still writes when the caller moves on. */
    private static Throwable await(Future<?> f, Throwable failure) {
        boolean interrupted = false;
        Throwable result = failure;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                result = result != null ? result : e.getCause();
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    private static final class Worker extends Thread {
        Worker(Runnable r) {
            super(r, "atelier-nn-rows");
        }
    }
}
