package io.atelier.jobs;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Stops the session the CLI commands created, so the next test class starts its own. */
final class StopSparkAfterAll implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
    }
}
