package io.atelier.common.compute;

import org.apache.spark.SparkConf;

/**
 * Spark's GPU resource settings as Atelier reads them, and the driver-side check that a run
 * asking for GPUs can get them, made before the session starts and before any data moves. The
 * settings themselves live in conf/spark-gpu.conf.
 */
public final class GpuSettings {
    /** Spark's name for the resource, as the discovery script prints it. */
    public static final String RESOURCE = "gpu";
    public static final String TASK_AMOUNT = "spark.task.resource.gpu.amount";
    public static final String EXECUTOR_AMOUNT = "spark.executor.resource.gpu.amount";
    public static final String EXECUTOR_SCRIPT = "spark.executor.resource.gpu.discoveryScript";
    public static final String EXECUTOR_VENDOR = "spark.executor.resource.gpu.vendor";

    private GpuSettings() {
    }

    /** The GPU share each task asks for: 0 when unset (CPU tasks), 0.5 when two tasks share one. */
    public static double taskAmount(SparkConf conf) {
        return amount(conf, TASK_AMOUNT);
    }

    /**
     * Fails in one line when the settings ask for a GPU per task that no task could get: an
     * embedded local master (Spark offers local tasks no resources, so they would wait forever),
     * executors without GPUs, or (outside standalone, whose workers hand executors their
     * addresses) no executor discovery script; on Kubernetes also no device vendor.
     */
    public static void check(SparkConf conf) {
        double task = taskAmount(conf);
        if (task <= 0) {
            return;
        }
        String ask = TASK_AMOUNT + "=" + format(task) + " asks for a GPU per task";
        String master = conf.get("spark.master", "local[*]");
        if (master.startsWith("local") && !master.startsWith("local-cluster")) {
            throw new IllegalArgumentException(ask + ", but master " + master + " runs tasks in the driver, where"
                    + " Spark schedules no GPUs; use a cluster master with GPU executors or leave " + TASK_AMOUNT + " out");
        }
        double executor = amount(conf, EXECUTOR_AMOUNT);
        if (executor < task) {
            throw new IllegalArgumentException(ask + ", but " + EXECUTOR_AMOUNT + " is "
                    + (conf.contains(EXECUTOR_AMOUNT) ? format(executor) : "not set")
                    + "; give executors at least " + format(Math.ceil(task)) + " (see conf/spark-gpu.conf)");
        }
        boolean standalone = master.startsWith("spark://") || master.startsWith("local-cluster");
        if (!standalone && !conf.contains(EXECUTOR_SCRIPT)) {
            throw new IllegalArgumentException(ask + ", but " + EXECUTOR_SCRIPT + " is not set; executors on " + master
                    + " find their GPUs with it (deploy/gpu/discover-gpus.sh, see conf/spark-gpu.conf)");
        }
        if (master.startsWith("k8s://") && !conf.contains(EXECUTOR_VENDOR)) {
            throw new IllegalArgumentException(ask + ", but " + EXECUTOR_VENDOR + " is not set; Kubernetes needs it"
                    + " to request the device (nvidia.com for NVIDIA GPUs)");
        }
    }

    /**
     * The ND4J device index for an address Spark assigned. The discovery script prints device
     * indices (nvidia-smi's {@code index}), which is what ND4J numbers devices by.
     */
    public static int deviceIndex(String address) {
        try {
            int index = Integer.parseInt(address.trim());
            if (index >= 0) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("GPU address '" + address + "' is not a device index; the discovery script"
                + " must print indices such as \"0\" (nvidia-smi --query-gpu=index), not UUIDs or names");
    }

    static String format(double amount) {
        return amount == Math.rint(amount) ? String.valueOf((long) amount) : String.valueOf(amount);
    }

    private static double amount(SparkConf conf, String key) {
        String value = conf.get(key, "0").trim();
        double amount;
        try {
            amount = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + value + " is not a number; give a GPU count such as 1"
                    + (key.equals(TASK_AMOUNT) ? " (or a share such as 0.5)" : ""));
        }
        if (amount < 0 || Double.isNaN(amount)) {
            throw new IllegalArgumentException(key + "=" + value + " is negative; give 0 or more");
        }
        return amount;
    }
}
