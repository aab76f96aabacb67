package io.atelier.common.compute;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JavaCPP limits from executor memory settings, where they are applied, and that JavaCPP reads them. */
class NativeMemoryTest {

    private static SparkConf conf(String master, String... pairs) {
        SparkConf c = new SparkConf(false).setMaster(master);
        for (int i = 0; i < pairs.length; i += 2) {
            c.set(pairs[i], pairs[i + 1]);
        }
        return c;
    }

    @Test
    void limitsFollowHeapAndOverhead() {
        // the shipped defaults: 2g overhead; 8g executors
        assertEquals(new NativeMemory.Limits(2048 - 384, 8192 + 2048 - 384),
                NativeMemory.limits(conf("yarn", "spark.executor.memory", "8g", "spark.executor.memoryOverhead", "2g")));
        // no overhead given: Spark's max(384m, 0.10 x heap); 384m leaves half for ND4J
        assertEquals(new NativeMemory.Limits(192, 1024 + 192), NativeMemory.limits(conf("yarn")));
        assertEquals(new NativeMemory.Limits(1638 - 384, 16384 + 1638 - 384),
                NativeMemory.limits(conf("yarn", "spark.executor.memory", "16g")));
        assertEquals(new NativeMemory.Limits(4096 - 384, 4096 + 4096 - 384), NativeMemory.limits(conf("yarn",
                "spark.executor.memory", "4g", "spark.executor.memoryOverheadFactor", "1.0")));
    }

    @Test
    void appliedOnYarnAndKubernetesOnlyAndBesideTheCallersOptions() {
        SparkConf yarn = conf("yarn", "spark.executor.memory", "8g", "spark.executor.memoryOverhead", "2g",
                NativeMemory.EXTRA_JAVA_OPTIONS, "-XX:+UseG1GC");
        NativeMemory.applyTo(yarn);
        assertEquals("-XX:+UseG1GC -Dorg.bytedeco.javacpp.maxbytes=1664m -Dorg.bytedeco.javacpp.maxphysicalbytes=9856m",
                yarn.get(NativeMemory.EXTRA_JAVA_OPTIONS));

        SparkConf k8s = conf("k8s://https://api:6443", "spark.executor.memoryOverhead", "1g");
        NativeMemory.applyTo(k8s);
        assertEquals("-Dorg.bytedeco.javacpp.maxbytes=640m -Dorg.bytedeco.javacpp.maxphysicalbytes=1664m",
                k8s.get(NativeMemory.EXTRA_JAVA_OPTIONS));

        for (String master : new String[]{"local[*]", "local-cluster[2,1,1024]", "spark://h:7077"}) {
            SparkConf c = conf(master);
            NativeMemory.applyTo(c);
            assertEquals(false, c.contains(NativeMemory.EXTRA_JAVA_OPTIONS), master + " enforces no executor limit");
        }

        SparkConf own = conf("yarn", NativeMemory.EXTRA_JAVA_OPTIONS, "-Dorg.bytedeco.javacpp.maxBytes=3g");
        NativeMemory.applyTo(own);
        assertEquals("-Dorg.bytedeco.javacpp.maxBytes=3g", own.get(NativeMemory.EXTRA_JAVA_OPTIONS));
    }

    @Test
    void javacppReadsTheOptionsAsWritten() throws Exception {
        String options = NativeMemory.limits(conf("yarn", "spark.executor.memory", "8g",
                "spark.executor.memoryOverhead", "2g")).javaOptions();
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(options.split(" ")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PrintLimits.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        assertEquals((1664L << 20) + " " + (9856L << 20), out);
    }

    @Test
    void onlyJavacppsLimitErrorsBecomeOneLineWithoutTheErrorAsCause() {
        OutOfMemoryError heap = new OutOfMemoryError("Java heap space");
        assertSame(heap, assertThrows(OutOfMemoryError.class, () -> NativeMemory.guard(() -> {
            throw heap;
        })), "the heap's own error is not JavaCPP's to explain");

        // as ND4J's ops meet it: JavaCPP's limit words in the cause
        OutOfMemoryError javacpp = new OutOfMemoryError("Cannot allocate new LongPointer(1): totalBytes = 0, physicalBytes = 653M");
        javacpp.initCause(new OutOfMemoryError("Physical memory usage is too high: physicalBytes (653M) > maxPhysicalBytes (500M)"));
        java.util.Iterator<Integer> rows = NativeMemory.guard(new java.util.Iterator<Integer>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                throw javacpp;
            }
        });
        assertTrue(rows.hasNext());
        NativeMemory.LimitReachedException e = assertThrows(NativeMemory.LimitReachedException.class, rows::next);
        assertNull(e.getCause(), "Spark would take an OutOfMemoryError cause for fatal and exit the executor");
        assertTrue(e.getMessage().startsWith("native memory limit org.bytedeco.javacpp.maxphysicalbytes="), e.getMessage());
        assertTrue(e.getMessage().contains(" reached on executor driver (Physical memory usage is too high: physicalBytes"
                + " (653M) > maxPhysicalBytes (500M)): give the driver JVM more memory"), e.getMessage());

        String executor = NativeMemory.message("Failed to allocate memory within limits: totalBytes (1G + 8M) > maxBytes (1G)", "3");
        assertTrue(executor.contains(" reached on executor 3 (Failed to allocate memory within limits: totalBytes (1G + 8M)"
                + " > maxBytes (1G)): raise spark.executor.memoryOverhead (the limit follows it on YARN and Kubernetes) or"
                + " set -Dorg.bytedeco.javacpp.maxbytes higher in spark.executor.extraJavaOptions, or lower the batch size"
                + " or the image size"), executor);
        assertTrue(executor.startsWith("native memory limit org.bytedeco.javacpp.maxbytes="), executor);
    }

    /** Prints JavaCPP's limits as it parsed them. */
    public static final class PrintLimits {
        public static void main(String[] args) {
            System.out.println(org.bytedeco.javacpp.Pointer.maxBytes() + " " + org.bytedeco.javacpp.Pointer.maxPhysicalBytes());
        }
    }
}
