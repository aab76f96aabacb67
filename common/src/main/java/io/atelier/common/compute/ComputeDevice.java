package io.atelier.common.compute;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place where a Spark task chooses the device it computes on. Every task that runs a
 * network (training rounds, generate, stylize, embed, feature extraction, the classifier) calls
 * {@link #bindForTask()} before building one, and records the {@link TaskDevice} it returns.
 *
 * <p>With a GPU assigned ({@code TaskContext.get().resources().get("gpu")}), ND4J's device for the
 * calling thread is set to that address. On the CPU backend there is no device to select: the
 * address is recorded, marked unbound, and the task runs on CPU threads. The CUDA path has been
 * tested on CPU up to the call that selects the device; it has not run on a GPU.
 */
public final class ComputeDevice {
    /** Task attempts bound in this JVM and not yet finished, while tasks run in the driver (local mode). */
    private static final Set<Long> LOCAL_TASKS = ConcurrentHashMap.newKeySet();
    /** The driver's own thread count before its first running task, given back when the last one ends. */
    private static int driverThreads;

    private ComputeDevice() {
    }

    /** What the backend offers: whether it computes on GPUs, how many it sees, and how to select one. */
    interface Backend {
        boolean gpu();

        int devices();

        /** Makes {@code device} the calling thread's device; returns the device ND4J now reports. */
        int select(int device);

        Backend ND4J = new Backend() {
            @Override
            public boolean gpu() {
                return !Nd4j.getEnvironment().isCPU();
            }

            @Override
            public int devices() {
                return Nd4j.getAffinityManager().getNumberOfDevices();
            }

            @Override
            public int select(int device) {
                Nd4j.getAffinityManager().unsafeSetDevice(device);
                return Nd4j.getAffinityManager().getDeviceForCurrentThread();
            }
        };
    }

    /**
     * Binds the calling task's thread to its device and returns what it bound. Native threads are
     * set to the task's CPU share ({@code spark.task.cpus}) in every case: threads beyond that share
     * stall at every OpenMP barrier when tasks run side by side, and a GPU task's host-side work runs
     * on the same cores. In local mode, where tasks run in the driver, the driver's own count is
     * given back when its last running task ends, so driver-side work after a job keeps every core.
     * Outside a Spark task nothing is changed.
     *
     * @throws IllegalStateException when {@code spark.task.resource.gpu.amount} asks for a GPU and
     *                               Spark assigned this task none
     */
    public static TaskDevice bindForTask() {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return new TaskDevice(TaskDevice.DRIVER, List.of(), false, NativeThreads.get());
        }
        int threads = Math.max(1, task.cpus());
        SparkEnv env = SparkEnv.get();
        String executor = env == null ? TaskDevice.DRIVER : env.executorId();
        if (TaskDevice.DRIVER.equals(executor)) {
            holdDriverThreads(task);
        }
        NativeThreads.set(threads);
        ResourceInformation gpu = task.resourcesJMap().get(GpuSettings.RESOURCE);
        List<String> addresses = gpu == null ? List.of() : List.of(gpu.addresses());
        double requested = env == null ? 0 : GpuSettings.taskAmount(env.conf());
        return bind(executor, addresses, requested, threads, Backend.ND4J);
    }

    private static void holdDriverThreads(TaskContext task) {
        synchronized (LOCAL_TASKS) {
            if (!LOCAL_TASKS.add(task.taskAttemptId())) {
                return; // bound already in this attempt
            }
            if (LOCAL_TASKS.size() == 1) {
                driverThreads = NativeThreads.get();
            }
        }
        task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) t -> {
            synchronized (LOCAL_TASKS) {
                if (LOCAL_TASKS.remove(t.taskAttemptId()) && LOCAL_TASKS.isEmpty()) {
                    NativeThreads.set(driverThreads);
                }
            }
        });
    }

    /** {@link #bindForTask()} after the task's facts are read: the part that decides. */
    static TaskDevice bind(String executor, List<String> addresses, double requested, int threads, Backend backend) {
        if (addresses.isEmpty()) {
            if (requested > 0) {
                throw new IllegalStateException("task on executor " + executor + " was assigned no GPU although "
                        + GpuSettings.TASK_AMOUNT + "=" + GpuSettings.format(requested) + " asks for one; give executors"
                        + " GPUs (" + GpuSettings.EXECUTOR_AMOUNT + " and a discovery script, see conf/spark-gpu.conf)"
                        + " or set " + GpuSettings.TASK_AMOUNT + "=0");
            }
            return new TaskDevice(executor, List.of(), false, threads);
        }
        // A task given several GPUs computes on the first: ND4J binds one device per thread.
        int device = GpuSettings.deviceIndex(addresses.get(0));
        if (!backend.gpu()) {
            return new TaskDevice(executor, addresses, false, threads);
        }
        int visible = backend.devices();
        if (device >= visible) {
            throw new IllegalStateException("Spark assigned GPU " + device + " on executor " + executor
                    + ", but ND4J sees " + visible + " device(s) (0.." + (visible - 1) + "); the discovery script must"
                    + " list the devices this process can see (check CUDA_VISIBLE_DEVICES)");
        }
        int selected = backend.select(device);
        if (selected != device) {
            throw new IllegalStateException("ND4J kept device " + selected + " for this thread after selecting GPU "
                    + device + " on executor " + executor);
        }
        return new TaskDevice(executor, addresses, true, threads);
    }
}
