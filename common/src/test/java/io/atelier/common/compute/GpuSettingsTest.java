package io.atelier.common.compute;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The driver-side check: each way a GPU run cannot get its GPUs is refused in one line naming the setting. */
class GpuSettingsTest {

    private static SparkConf conf(String master, String... pairs) {
        SparkConf c = new SparkConf(false).setMaster(master);
        for (int i = 0; i < pairs.length; i += 2) {
            c.set(pairs[i], pairs[i + 1]);
        }
        return c;
    }

    private static String refusal(SparkConf c) {
        return assertThrows(IllegalArgumentException.class, () -> GpuSettings.check(c)).getMessage();
    }

    @Test
    void aRunWithoutGpuSettingsPassesOnEveryMaster() {
        for (String master : new String[]{"local[*]", "yarn", "k8s://https://api:6443", "spark://h:7077"}) {
            assertDoesNotThrow(() -> GpuSettings.check(conf(master)));
            assertEquals(0, GpuSettings.taskAmount(conf(master)));
        }
    }

    @Test
    void anEmbeddedLocalMasterCannotScheduleGpus() {
        assertEquals("spark.task.resource.gpu.amount=1 asks for a GPU per task, but master local[4] runs tasks in the"
                        + " driver, where Spark schedules no GPUs; use a cluster master with GPU executors or leave"
                        + " spark.task.resource.gpu.amount out",
                refusal(conf("local[4]", GpuSettings.TASK_AMOUNT, "1")));
    }

    @Test
    void executorsMustHaveAtLeastWhatATaskAsksFor() {
        assertEquals("spark.task.resource.gpu.amount=1 asks for a GPU per task, but spark.executor.resource.gpu.amount"
                        + " is not set; give executors at least 1 (see conf/spark-gpu.conf)",
                refusal(conf("spark://h:7077", GpuSettings.TASK_AMOUNT, "1")));
        assertEquals("spark.task.resource.gpu.amount=2 asks for a GPU per task, but spark.executor.resource.gpu.amount"
                        + " is 1; give executors at least 2 (see conf/spark-gpu.conf)",
                refusal(conf("spark://h:7077", GpuSettings.TASK_AMOUNT, "2", GpuSettings.EXECUTOR_AMOUNT, "1")));
        assertDoesNotThrow(() -> GpuSettings.check(conf("local-cluster[2,1,1024]",
                GpuSettings.TASK_AMOUNT, "0.5", GpuSettings.EXECUTOR_AMOUNT, "1")));
    }

    @Test
    void yarnAndKubernetesExecutorsNeedTheDiscoveryScriptAndKubernetesTheVendor() {
        String yarn = refusal(conf("yarn", GpuSettings.TASK_AMOUNT, "1", GpuSettings.EXECUTOR_AMOUNT, "1"));
        assertEquals("spark.task.resource.gpu.amount=1 asks for a GPU per task, but"
                + " spark.executor.resource.gpu.discoveryScript is not set; executors on yarn find their GPUs with it"
                + " (deploy/gpu/discover-gpus.sh, see conf/spark-gpu.conf)", yarn);
        assertDoesNotThrow(() -> GpuSettings.check(conf("yarn", GpuSettings.TASK_AMOUNT, "1",
                GpuSettings.EXECUTOR_AMOUNT, "1", GpuSettings.EXECUTOR_SCRIPT, "./discover-gpus.sh")));
        String k8s = refusal(conf("k8s://https://api:6443", GpuSettings.TASK_AMOUNT, "1",
                GpuSettings.EXECUTOR_AMOUNT, "1", GpuSettings.EXECUTOR_SCRIPT, "/opt/atelier/gpu/discover-gpus.sh"));
        assertEquals("spark.task.resource.gpu.amount=1 asks for a GPU per task, but spark.executor.resource.gpu.vendor"
                + " is not set; Kubernetes needs it to request the device (nvidia.com for NVIDIA GPUs)", k8s);
    }

    @Test
    void theShippedGpuConfPassesOnKubernetes() throws Exception {
        SparkConf c = conf("k8s://https://api:6443");
        for (String line : java.nio.file.Files.readAllLines(ShippedFiles.root().resolve("conf/spark-gpu.conf"))) {
            String[] kv = line.trim().split("\\s+", 2);
            if (kv.length == 2 && !kv[0].startsWith("#")) {
                c.set(kv[0], kv[1]);
            }
        }
        assertEquals(1, GpuSettings.taskAmount(c));
        assertDoesNotThrow(() -> GpuSettings.check(c));
    }

    @Test
    void malformedAmountsAreNamed() {
        assertEquals("spark.task.resource.gpu.amount=one is not a number; give a GPU count such as 1 (or a share such"
                + " as 0.5)", refusal(conf("yarn", GpuSettings.TASK_AMOUNT, "one")));
        assertEquals("spark.executor.resource.gpu.amount=-1 is negative; give 0 or more",
                refusal(conf("yarn", GpuSettings.TASK_AMOUNT, "1", GpuSettings.EXECUTOR_AMOUNT, "-1")));
    }
}
