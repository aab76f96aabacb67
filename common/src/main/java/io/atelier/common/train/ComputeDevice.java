package io.atelier.common.train;

/**
 * The one place where a training task chooses the device it computes on. Every task calls
 * {@link #bindForTask()} before touching a network, so moving to GPUs changes this class only.
 */
public final class ComputeDevice {
    private ComputeDevice() {
    }

    /**
     * Binds the calling task's thread to its device. With the CPU backend there is nothing to
     * bind. With a GPU backend this reads the address Spark assigned the task
     * ({@code TaskContext.get().resources().get("gpu")}) and binds ND4J's device for this thread.
     */
    public static void bindForTask() {
        // CPU backend: the task computes on its share of the executor's cores. Native threads
        // beyond that share stall at every OpenMP barrier when tasks run side by side.
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        if (task != null) {
            NativeThreads.set(Math.max(1, task.cpus()));
        }
    }
}
