package io.atelier.jobs;

import io.atelier.common.bench.IngestLoadBenchmark;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code atelier bench ingest-load}: ingest of folders of growing size, with the driver's memory. */
@Command(name = "ingest-load", mixinStandardHelpOptions = true,
        description = {"ingest of folders of small synthetic photos (with duplicates and broken files) at growing counts,",
                "side by side in one driver: images/s, the driver's live heap and peak RSS, the summary reconciled",
                "against what each folder holds, and a re-run with nothing to do."})
final class IngestLoadBench implements Callable<Integer> {
    @Option(names = "--counts", defaultValue = "10000,100000", split = ",",
            description = "Distinct photos per folder, in order (default: ${DEFAULT-VALUE}).")
    List<Integer> counts;

    @Option(names = "--width", defaultValue = "64", description = "Photo width; height is 3/4 of it (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--size", defaultValue = "32", description = "Ingest's stored size (default: ${DEFAULT-VALUE}).")
    int size;

    @Mixin
    BenchCommand.ScratchOptions scratch;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        if (LocalClusters.isLocalCluster(spark.master)) {
            LocalClusters.prepare(); // executors in JVMs of their own: the driver's figures are its own
        }
        SparkSession session = SparkSessions.create("bench ingest-load", spark.master);
        scratch.print("atelier-bench-ingest-load", dir -> IngestLoadBenchmark.run(session, counts, width, size, dir));
        return 0;
    }
}
