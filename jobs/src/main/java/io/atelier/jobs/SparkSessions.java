package io.atelier.jobs;

import io.atelier.common.compute.GpuSettings;
import io.atelier.common.compute.NativeMemory;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The one place jobs get a SparkSession. Under spark-submit the master comes from the submit
 * command; run directly (bin/atelier) with no master anywhere, Spark is embedded as local[*].
 * Every launcher (bin/atelier, deploy/atelier-submit, deploy/standalone/local-cluster.sh) comes
 * through here, so the GPU settings check and the executors' JavaCPP limits
 * ({@link NativeMemory}) are applied in this one place.
 */
public final class SparkSessions {
    /**
     * Settings for the averaging engine's per-round traffic (a training state of tens of MB out
     * and back every round): LZ4 gains nothing on float noise but costs CPU on both ends, and
     * results up to 64 MB travel with the task's status message instead of a second block fetch.
     * The same lines are in conf/spark-defaults.conf for spark-submit.
     */
    static final java.util.Map<String, String> ENGINE_DEFAULTS = java.util.Map.of(
            "spark.broadcast.compress", "false",
            "spark.task.maxDirectResultSize", "64m");

    private SparkSessions() {
    }

    public static SparkSession create(String appName, String master) {
        return create(appName, master, java.util.Map.of());
    }

    /** As {@link #create(String, String)}, with extra settings the job needs (spark-submit's win). */
    public static SparkSession create(String appName, String master, java.util.Map<String, String> settings) {
        SparkConf conf = new SparkConf(true).setAppName("atelier " + appName);
        settings.forEach(conf::setIfMissing);
        ENGINE_DEFAULTS.forEach(conf::setIfMissing);
        if (master != null && !master.isBlank()) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.sql.shuffle.partitions", String.valueOf(
                    Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
        }
        // Before Spark starts: a run asking for GPUs it cannot get, or naming a standalone master
        // that does not answer, fails here in one line, and YARN/Kubernetes executors get JavaCPP
        // limits that fit their containers.
        GpuSettings.check(conf);
        NativeMemory.applyTo(conf);
        SparkMasters.checkReachable(conf.get("spark.master", null));
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        // getOrCreate may hand back another thread's default session without making it this
        // thread's active one; code that asks for the active session must find this one.
        SparkSession.setActiveSession(session);
        return session;
    }
}
