package io.atelier.common.train;

import org.apache.spark.sql.SparkSession;

/** Spark sessions for tests: small, quiet, no UI. */
public final class TestSpark {
    private TestSpark() {
    }

    public static SparkSession.Builder builder(String master) {
        return SparkSession.builder()
                .master(master)
                .appName("atelier-train-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2");
    }
}
