package io.atelier.jobs;

import picocli.CommandLine.Option;

/** Options every Spark job shares. */
final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (local[N], spark://host:port, yarn, k8s://...). Default: the one "
                    + "spark-submit gives, else an embedded local[*].")
    String master;
}
