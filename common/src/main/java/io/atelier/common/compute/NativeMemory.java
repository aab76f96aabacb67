package io.atelier.common.compute;

import org.apache.spark.SparkConf;

/**
 * JavaCPP's limits for executor JVMs, derived from their memory settings, so that native (ND4J)
 * allocations fail with JavaCPP's own OutOfMemoryError, naming the limit, before the resource
 * manager kills the container. The rule, for executor heap H ({@code spark.executor.memory},
 * default 1g) and overhead O ({@code spark.executor.memoryOverhead}, default
 * max(384m, {@code spark.executor.memoryOverheadFactor} (0.10) x H)):
 * <ul>
 *   <li>{@code org.bytedeco.javacpp.maxbytes} = max(O - 384m, O / 2): the overhead holds ND4J's
 *       buffers and the JVM's own native memory (metaspace, code cache, thread stacks, Netty),
 *       for which 384m is Spark's own minimum overhead; small overheads keep half for ND4J.</li>
 *   <li>{@code org.bytedeco.javacpp.maxphysicalbytes} = H + O: the container's limit on the
 *       whole process's resident memory.</li>
 * </ul>
 * Applied on YARN and Kubernetes, which enforce H + O; standalone workers enforce no limit, so
 * their executors keep JavaCPP's defaults. A limit already named in
 * {@code spark.executor.extraJavaOptions} is left as given. GPU memory is not covered: the CUDA
 * backend's device allocations are outside these host limits.
 */
public final class NativeMemory {
    public static final String EXTRA_JAVA_OPTIONS = "spark.executor.extraJavaOptions";
    static final long JVM_NATIVE_MIB = 384;
    private static final long MIN_OVERHEAD_MIB = 384;

    private NativeMemory() {
    }

    /** The two limits in MiB, derived from executor memory and overhead by the rule above. */
    public record Limits(long maxBytesMib, long maxPhysicalBytesMib) {
        public String javaOptions() {
            return "-Dorg.bytedeco.javacpp.maxbytes=" + maxBytesMib + "m -Dorg.bytedeco.javacpp.maxphysicalbytes="
                    + maxPhysicalBytesMib + "m";
        }
    }

    public static Limits limits(SparkConf conf) {
        long heap = conf.getSizeAsMb("spark.executor.memory", "1g");
        long overhead;
        if (conf.contains("spark.executor.memoryOverhead")) {
            overhead = conf.getSizeAsMb("spark.executor.memoryOverhead", "0");
        } else {
            double factor = conf.getDouble("spark.executor.memoryOverheadFactor", 0.10);
            overhead = Math.max(MIN_OVERHEAD_MIB, (long) (factor * heap));
        }
        return new Limits(Math.max(overhead - JVM_NATIVE_MIB, overhead / 2), heap + overhead);
    }

    /** Whether the master's executors run in containers that enforce heap + overhead. */
    public static boolean enforced(String master) {
        return master != null && (master.equals("yarn") || master.startsWith("k8s://"));
    }

    /**
     * Adds the limits to {@code spark.executor.extraJavaOptions} when the master enforces executor
     * memory and neither limit is named there already. Call before the SparkContext starts.
     */
    public static void applyTo(SparkConf conf) {
        if (!enforced(conf.get("spark.master", ""))) {
            return;
        }
        String given = conf.get(EXTRA_JAVA_OPTIONS, "").trim();
        if (given.contains("org.bytedeco.javacpp.maxbytes") || given.contains("org.bytedeco.javacpp.maxBytes")
                || given.contains("org.bytedeco.javacpp.maxphysicalbytes")
                || given.contains("org.bytedeco.javacpp.maxPhysicalBytes")) {
            return;
        }
        String ours = limits(conf).javaOptions();
        conf.set(EXTRA_JAVA_OPTIONS, given.isEmpty() ? ours : given + " " + ours);
    }
}
