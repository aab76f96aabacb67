package io.atelier.common.testing;

import org.apache.spark.sql.SparkSession;

/**
 * One small local SparkSession per test JVM, shared by every test class that needs Spark.
 *
 * <p>Starting Spark costs seconds, so the session is created on first use and stopped when the
 * JVM exits; tests must not stop it. Two local threads, no UI, few shuffle partitions: enough
 * to exercise real tasks and shuffles on tiny data without waiting on them.
 */
public final class LocalSpark {
    private static SparkSession session;
    private static boolean hooked;

    private LocalSpark() {
    }

    public static synchronized SparkSession get() {
        // A test class that stops the active session (one that made its own with getOrCreate)
        // stops this one too when it was active: start a new one then.
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSession.builder()
                    .appName("atelier-tests")
                    .master("local[2]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.session.timeZone", "UTC")
                    .getOrCreate();
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(LocalSpark::stop, "local-spark-stop"));
                hooked = true;
            }
        }
        return session;
    }

    private static synchronized void stop() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }
}
