package io.atelier.common.compute;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.bytedeco.javacpp.Pointer;

import java.util.Iterator;
import java.util.function.Supplier;

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
 *   <li>{@code org.bytedeco.javacpp.maxphysicalbytes} = H + maxbytes: the container's limit
 *       (H + O) less the same reserve. JavaCPP checks resident memory before an op allocates, so
 *       a limit equal to the container's would only be seen once the container is killed; the
 *       reserve is what one allocation may overshoot the check by.</li>
 * </ul>
 * Applied on YARN and Kubernetes, which enforce H + O; standalone workers enforce no limit, so
 * their executors keep JavaCPP's defaults. A limit already named in
 * {@code spark.executor.extraJavaOptions} is left as given. GPU memory is not covered: the CUDA
 * backend's device allocations are outside these host limits.
 *
 * <p>Which limit bites: ND4J (M2.1, CPU backend) allocates its array buffers in libnd4j, outside
 * JavaCPP's byte count, so {@code maxbytes} bounds only the few buffers JavaCPP allocates itself.
 * {@code maxphysicalbytes} is the one that stops an oversized batch: JavaCPP compares the
 * process's resident memory with it whenever it allocates a pointer, which ND4J does for every
 * op, and throws {@code OutOfMemoryError("... physicalBytes (X) > maxPhysicalBytes (Y)")}.
 *
 * <p>Spark takes any {@link OutOfMemoryError} in a task, or in its causes, for a fatal error and
 * exits the executor JVM (in local mode the driver's). Tasks that run networks therefore go
 * through {@link #guard(Supplier)} or {@link #guard(Iterator)}, which turn JavaCPP's error into
 * {@link LimitReachedException}: the task fails with one line naming the limit, the setting to
 * raise and the size to lower, and the executor lives on.
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
        long maxBytes = Math.max(overhead - JVM_NATIVE_MIB, overhead / 2);
        return new Limits(maxBytes, heap + maxBytes);
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

    /**
     * A task stopped by a JavaCPP native-memory limit. Carries JavaCPP's own words in its message
     * and not its {@link OutOfMemoryError} as a cause: Spark would take the cause for fatal.
     */
    public static final class LimitReachedException extends IllegalStateException {
        LimitReachedException(String message) {
            super(message);
        }
    }

    /** Runs {@code work}, turning a JavaCPP limit reached into {@link LimitReachedException}. */
    public static <T> T guard(Supplier<T> work) {
        try {
            return work.get();
        } catch (OutOfMemoryError e) {
            String words = javacppWords(e);
            if (words == null) {
                throw e;
            }
            throw new LimitReachedException(message(words, executor()));
        }
    }

    /** {@code rows} as they are, except that a JavaCPP limit reached while making one is explained. */
    public static <T> Iterator<T> guard(Iterator<T> rows) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return guard(rows::hasNext);
            }

            @Override
            public T next() {
                return guard(rows::next);
            }
        };
    }

    /**
     * JavaCPP's words when {@code e} is its limit error (its message or a cause's names
     * {@code maxPhysicalBytes} or {@code maxBytes}); null for any other error (the Java heap's).
     */
    static String javacppWords(OutOfMemoryError e) {
        String words = null;
        for (Throwable t = e; t != null && words == null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("> maxPhysicalBytes") || m.contains("> maxBytes"))) {
                words = m;
            }
        }
        return words;
    }

    /** The one line: where, JavaCPP's words, the setting to raise and the sizes to lower. */
    static String message(String javacppWords, String executor) {
        boolean physical = javacppWords.contains("maxPhysicalBytes");
        String limit = physical
                ? "org.bytedeco.javacpp.maxphysicalbytes=" + Pointer.formatBytes(Pointer.maxPhysicalBytes())
                : "org.bytedeco.javacpp.maxbytes=" + Pointer.formatBytes(Pointer.maxBytes());
        String raise = "driver".equals(executor)
                ? "give the driver JVM more memory (-Xmx, ATELIER_DRIVER_MEMORY) or set -D" + limit.replaceFirst("=.*", "")
                  + " higher in ATELIER_JAVA_OPTS"
                : "raise spark.executor.memoryOverhead" + (physical ? " or spark.executor.memory" : "")
                  + " (the limit follows " + (physical ? "them" : "it") + " on YARN and Kubernetes) or set -D" + limit.replaceFirst("=.*", "")
                  + " higher in " + EXTRA_JAVA_OPTIONS;
        return "native memory limit " + limit + " reached on executor " + executor + " (" + javacppWords.trim()
                + "): " + raise + ", or lower the batch size or the image size";
    }

    private static String executor() {
        SparkEnv env = SparkEnv.get();
        return env == null ? "driver" : env.executorId();
    }
}
