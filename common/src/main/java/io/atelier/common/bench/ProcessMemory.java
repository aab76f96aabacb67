package io.atelier.common.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory as Linux reports it in {@code /proc/self/status}: everything the
 * JVM holds in RAM (heap pages, ND4J's native buffers, thread stacks), which the heap figures
 * alone miss. The peak is the kernel's high-water mark, which {@link #resetPeak()} sets back to
 * the current resident set so that one job's peak can be read on its own.
 */
final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {
    }

    /** Resets the high-water mark; false where the system does not allow it (the peak then spans the process). */
    static boolean resetPeak() {
        try {
            // "5" clears the peak resident set size (Linux 4.0 and later).
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Bytes resident now, or -1 where {@code /proc/self/status} is missing. */
    static long residentBytes() {
        return statusBytes("VmRSS:");
    }

    /** The largest resident set since the process started or the last {@link #resetPeak()}, bytes, or -1. */
    static long peakResidentBytes() {
        return statusBytes("VmHWM:");
    }

    private static long statusBytes(String field) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(field)) {
                    // e.g. "VmHWM:	  123456 kB"
                    return 1024 * Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
