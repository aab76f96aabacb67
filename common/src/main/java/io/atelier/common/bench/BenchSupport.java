package io.atelier.common.bench;

import io.atelier.common.compute.NativeThreads;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/** What the step benchmarks share: the median of timings, locale-free formatting, a thread count for one measurement. */
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
}
