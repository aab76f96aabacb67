package io.atelier.common.bench;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * When the stylize job's work stage began, from the description the job gives its Spark job
 * ("stylize: N (image, style) pairs in ..."), so that the benchmark can tell the executors'
 * memory while listing and planning from their memory while stylizing.
 */
final class WorkStageClock extends SparkListener {
    private volatile long startedAt;

    /** Forgets the last run's start. */
    void reset() {
        startedAt = 0;
    }

    /** Epoch ms at which the work stage's job started, or 0 if it has not (yet) been seen. */
    long startedAt() {
        return startedAt;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        String description = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
        if (startedAt == 0 && description != null && description.startsWith("stylize: ")
                && description.contains(" pairs in ")) {
            startedAt = start.time();
        }
    }
}
