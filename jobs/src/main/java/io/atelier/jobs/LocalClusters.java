package io.atelier.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes Spark's {@code local-cluster[N,C,M]} master usable from a plain JVM: separate executor
 * processes on this machine that inherit this JVM's class path. Spark's launcher looks for a
 * Spark build tree; in testing mode an empty skeleton of one is enough. Used by benchmarks that
 * need real executor processes without starting a standalone cluster.
 */
final class LocalClusters {
    private LocalClusters() {
    }

    static boolean isLocalCluster(String master) {
        return master != null && master.startsWith("local-cluster");
    }

    static void prepare() {
        if (System.getProperty("spark.test.home") != null) {
            return;
        }
        try {
            Path home = Files.createTempDirectory("atelier-spark-home");
            Files.createDirectories(home.resolve("jars"));
            Files.createDirectories(home.resolve("launcher/target/scala-2.12"));
            System.setProperty("spark.test.home", home.toString());
            System.setProperty("spark.testing", "true");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a local-cluster home: " + e.getMessage(), e);
        }
    }
}
