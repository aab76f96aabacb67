package io.atelier.jobs;

import io.atelier.common.catalog.Quarantine;
import io.atelier.common.io.OutputLease;
import io.atelier.common.stylize.StylizeJob;
import org.apache.spark.sql.SparkSession;

import java.util.function.BiFunction;

/**
 * How a command that rides on the stylize map stage with a style of its own (translate, project)
 * runs: a session, the output's lease, progress in images, and the reconciling summary line.
 */
final class CatalogStageRun {
    private CatalogStageRun() {
    }

    /**
     * Runs {@code work} on a new session under the lease of {@code out} and prints
     * {@code JOB: in N = VERB A + skipped S + quarantined Q in T s -> OUT}.
     */
    static int run(String job, String verb, SparkOptions spark, LeaseOptions lease, String out,
                   BiFunction<SparkSession, StylizeJob.Progress, StylizeJob.Summary> work) {
        SparkSession session = SparkSessions.create(job, spark.master);
        try (OutputLease held = lease.take(session, job, out)) {
            StylizeJob.Summary s;
            try (JobProgress progress = JobProgress.of(job, "images")) {
                s = work.apply(session, (done, planned, rate, eta) -> progress.update(done, planned, ""));
            }
            System.out.printf("%s: %s in %.1f s -> %s%s%n", job, Quarantine.reconcile(s.in(), verb, s.stylized(),
                    "skipped", s.skipped(), "quarantined", s.quarantined()), s.seconds(), out,
                    s.devices().isEmpty() ? "" : "; devices: " + String.join("; ", s.devices()));
        }
        return 0;
    }
}
