package io.atelier.common.bench;

import com.sun.management.OperatingSystemMXBean;
import io.atelier.common.compute.NativeThreads;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.WorkerData;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What the step benchmarks share: timing a worker's steps, the median of timings, locale-free
 * formatting, a thread count for one measurement.
 */
final class BenchSupport {
    private BenchSupport() {
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Figures print with a dot whatever the JVM's locale. */
    static String fmt(String f, Object... v) {
        return String.format(Locale.ROOT, f, v);
    }

    /** Runs {@code body} with {@code threads} native threads (0: as set), then restores the count. */
    static <T> T withThreads(int threads, Supplier<T> body) {
        int previous = NativeThreads.get();
        if (threads > 0) {
            NativeThreads.set(threads);
        }
        try {
            return body.get();
        } finally {
            NativeThreads.set(previous);
        }
    }

    /**
     * Wall time of each timed step and the process CPU time over them.
     *
     * @param cpuNanos CPU time of the whole process over the timed steps (on a shared machine, wall
     *                 time includes waiting for a core; CPU time does not)
     */
    record StepTimes(double[] ms, long cpuNanos) {
        double medianMs() {
            return median(ms);
        }

        double minMs() {
            return Arrays.stream(ms).min().orElse(0);
        }

        double maxMs() {
            return Arrays.stream(ms).max().orElse(0);
        }

        double cpuMsPerStep() {
            return cpuNanos / 1e6 / ms.length;
        }
    }

    /** Binds the worker, runs {@code warmup} untimed steps, times {@code steps} more, and unbinds. */
    static StepTimes timeSteps(ModelTrainer.LocalWorker worker, TrainingState state, WorkerData data, int metricCount,
                               long seed, int warmup, int steps) {
        double[] metrics = new double[metricCount];
        double[] ms = new double[steps];
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        worker.bind(state, data);
        try {
            for (int i = 0; i < warmup; i++) {
                worker.step(seed, 0, i, metrics);
            }
            long cpu0 = os.getProcessCpuTime();
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                worker.step(seed, 0, warmup + i, metrics);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            return new StepTimes(ms, os.getProcessCpuTime() - cpu0);
        } finally {
            worker.unbind(state);
        }
    }

    /** The step benchmarks' shared argument check, before anything is built. */
    static void requireStepArguments(int batch, int warmup, int steps, int threads) {
        if (batch < 1 || steps < 1 || warmup < 0 || threads < 0) {
            throw new InvalidSettingException("need {batch} >= 1, {steps} >= 1, {warmup} >= 0 and {threads} >= 1; got "
                    + batch + ", " + steps + ", " + warmup + ", " + threads);
        }
    }

    /** {@code n} uniform random bytes from {@code rng}: synthetic pixels (the step cost does not depend on content). */
    static byte[] randomPixels(Rng rng, int n) {
        byte[] pixels = new byte[n];
        for (int i = 0; i < n; i++) {
            pixels[i] = (byte) rng.nextInt(256);
        }
        return pixels;
    }
}
