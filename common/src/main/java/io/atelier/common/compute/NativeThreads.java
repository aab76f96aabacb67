package io.atelier.common.compute;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The backend's OpenMP thread count (process-wide), which oneDNN and the BLAS use. A Spark
 * executor running several tasks at once should give each its share (spark.task.cpus): OpenMP
 * threads that outnumber free cores stall at every barrier, and on a busy 2-core machine a
 * step ran about 3x slower with 2 threads than with 1. Where cores are shared, also start the
 * JVM with OMP_WAIT_POLICY=PASSIVE (it is read once, when the native library loads): spinning
 * OpenMP threads burned 2.5x the CPU of the step itself in the same measurement.
 */
public final class NativeThreads {
    private NativeThreads() {
    }

    public static int get() {
        return ops().ompGetMaxThreads();
    }

    /** Sets the thread count for subsequent native calls (values below 1 mean 1). */
    public static void set(int threads) {
        int t = Math.max(1, threads);
        ops().setOmpNumThreads(t);
        Nd4j.getEnvironment().setMaxThreads(t);
    }

    private static org.nd4j.nativeblas.NativeOps ops() {
        // The holder reads properties the backend sets up while ND4J initialises.
        Nd4j.getBackend();
        return NativeOpsHolder.getInstance().getDeviceNativeOps();
    }
}
