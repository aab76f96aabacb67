package io.atelier.jobs;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The one place jobs get a SparkSession. Under spark-submit the master comes from the submit
 * command; run directly (bin/atelier) with no master anywhere, Spark is embedded as local[*].
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession create(String appName, String master) {
        return create(appName, master, java.util.Map.of());
    }

    /** As {@link #create(String, String)}, with extra settings the job needs (spark-submit's win). */
    public static SparkSession create(String appName, String master, java.util.Map<String, String> settings) {
        SparkConf conf = new SparkConf(true).setAppName("atelier " + appName);
        settings.forEach(conf::setIfMissing);
        if (master != null && !master.isBlank()) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.sql.shuffle.partitions", String.valueOf(
                    Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
