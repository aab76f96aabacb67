package io.atelier.jobs;

import io.atelier.common.io.OutputLease;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * The lease each command that writes a shared output holds on it while it runs ({@link OutputLease}):
 * a second run into the same output waits with {@code --wait-for-lease}, else stops with exit code 2.
 */
final class LeaseOptions {
    @Option(names = "--wait-for-lease", paramLabel = "SECONDS", defaultValue = "0",
            description = "If another run is writing the same output, wait up to SECONDS for it to finish "
                    + "(default: ${DEFAULT-VALUE}, stop at once with exit code 2 and name that run).")
    long waitSeconds;

    /** Takes the lease of {@code output} (null: nothing to lease, returns null), waiting as the flag says. */
    OutputLease take(SparkSession session, String job, String output) {
        return take(session, job, output, waitTime());
    }

    Duration waitTime() {
        if (waitSeconds < 0) {
            throw new IllegalArgumentException("--wait-for-lease " + waitSeconds + ": give 0 or more seconds");
        }
        return Duration.ofSeconds(waitSeconds);
    }

    static OutputLease take(SparkSession session, String job, String output, Duration wait) {
        if (output == null) {
            return null;
        }
        try {
            return OutputLease.acquire(output, job, wait, session.sparkContext().hadoopConfiguration(), System.err::println);
        } catch (OutputLease.HeldException e) {
            throw e.withAdvice(wait.isZero() ? "; or pass --wait-for-lease SECONDS to wait for it"
                    : "; waited " + wait.toSeconds() + " s (--wait-for-lease)");
        }
    }
}
