package io.atelier.common.compute;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binding decision for each kind of task, against a backend that records what it was asked. */
class ComputeDeviceTest {

    /** A backend with {@code devices} GPUs (or the CPU backend when 0) that remembers each selection. */
    private static final class RecordingBackend implements ComputeDevice.Backend {
        final int devices;
        final List<Integer> selected = new ArrayList<>();

        RecordingBackend(int devices) {
            this.devices = devices;
        }

        @Override
        public boolean gpu() {
            return devices > 0;
        }

        @Override
        public int devices() {
            return devices;
        }

        @Override
        public int select(int device) {
            selected.add(device);
            return device;
        }
    }

    @Test
    void aTaskWithoutGpuRunsOnItsThreadShare() {
        RecordingBackend backend = new RecordingBackend(2);
        TaskDevice d = ComputeDevice.bind("3", List.of(), 0, 4, backend);
        assertEquals(new TaskDevice("3", List.of(), false, 4), d);
        assertEquals("executor 3: cpu, 4 threads", d.toString());
        assertTrue(backend.selected.isEmpty(), "nothing selected without a GPU: " + backend.selected);
    }

    @Test
    void aGpuBackendSelectsTheAssignedAddress() {
        RecordingBackend backend = new RecordingBackend(2);
        TaskDevice d = ComputeDevice.bind("1", List.of("1"), 1, 2, backend);
        assertEquals(List.of(1), backend.selected);
        assertTrue(d.bound());
        assertEquals("executor 1: gpu 1", d.toString());
    }

    @Test
    void aTaskGivenTwoGpusComputesOnTheFirstAndRecordsBoth() {
        RecordingBackend backend = new RecordingBackend(4);
        TaskDevice d = ComputeDevice.bind("0", List.of("2", "3"), 2, 1, backend);
        assertEquals(List.of(2), backend.selected);
        assertEquals("gpu 2,3", d.describe());
    }

    @Test
    void theCpuBackendRecordsTheAddressAndSaysItIsNotBound() {
        RecordingBackend cpu = new RecordingBackend(0);
        TaskDevice d = ComputeDevice.bind("0", List.of("1"), 1, 1, cpu);
        assertTrue(cpu.selected.isEmpty(), "the CPU backend has no device to select: " + cpu.selected);
        assertFalse(d.bound());
        assertEquals(List.of("1"), d.gpus());
        assertEquals("executor 0: gpu 1 assigned, not bound: CPU backend, 1 thread", d.toString());
    }

    @Test
    void aTaskMissingTheGpuItAskedForFailsNamingTheSetting() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ComputeDevice.bind("2", List.of(), 0.5, 1, new RecordingBackend(1)));
        assertEquals("task on executor 2 was assigned no GPU although spark.task.resource.gpu.amount=0.5 asks for one;"
                + " give executors GPUs (spark.executor.resource.gpu.amount and a discovery script, see"
                + " conf/spark-gpu.conf) or set spark.task.resource.gpu.amount=0", e.getMessage());
    }

    @Test
    void anAddressTheBackendCannotSeeFailsBeforeSelecting() {
        RecordingBackend backend = new RecordingBackend(2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ComputeDevice.bind("1", List.of("2"), 1, 1, backend));
        assertTrue(e.getMessage().startsWith("Spark assigned GPU 2 on executor 1, but ND4J sees 2 device(s) (0..1)"),
                e.getMessage());
        assertTrue(backend.selected.isEmpty());
    }

    @Test
    void anAddressThatIsNoDeviceIndexFailsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ComputeDevice.bind("1", List.of("GPU-5d1c"), 1, 1, new RecordingBackend(0)));
        assertTrue(e.getMessage().startsWith("GPU address 'GPU-5d1c' is not a device index"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GpuSettings.deviceIndex("-1"));
        assertEquals(7, GpuSettings.deviceIndex(" 7 "));
    }

    @Test
    void localTasksRunOnTheirShareAndGiveTheDriverItsThreadsBack() {
        int before = NativeThreads.get();
        SparkSession spark = SparkSession.builder().master("local[2]").appName("compute-device-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        try {
            NativeThreads.set(3);
            List<String> seen = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(List.of(1, 2, 3, 4), 4)
                    .mapPartitions(it -> {
                        TaskDevice d = ComputeDevice.bindForTask();
                        return List.of(d + " / " + NativeThreads.get()).iterator();
                    }).collect();
            assertEquals(List.of("executor driver: cpu, 1 thread / 1", "executor driver: cpu, 1 thread / 1",
                    "executor driver: cpu, 1 thread / 1", "executor driver: cpu, 1 thread / 1"), seen);
            assertEquals(3, NativeThreads.get(), "the driver's own count after its tasks ended");
        } finally {
            spark.stop();
            NativeThreads.set(before);
        }
    }

    @Test
    void theRealBackendIsTheCpuOneAndOutsideATaskNothingIsBound() {
        assertFalse(ComputeDevice.Backend.ND4J.gpu(), "this build tests the CPU backend");
        int before = NativeThreads.get();
        TaskDevice d = ComputeDevice.bindForTask();
        assertEquals(new TaskDevice("driver", List.of(), false, before), d);
        assertEquals(before, NativeThreads.get(), "outside a Spark task the thread count is left alone");
    }
}
