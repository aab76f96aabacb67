package io.atelier.jobs;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Stops the sessions the CLI commands created, so the next test class starts its own: this
 * thread's active session and the JVM's default one (a notebook's cells run in another thread),
 * and forgets both, so no later test finds a stopped session as its active one.
 */
final class StopSparkAfterAll implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }
}
