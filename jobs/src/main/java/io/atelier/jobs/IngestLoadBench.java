package io.atelier.jobs;

import io.atelier.common.bench.BenchSettings;
import io.atelier.common.bench.IngestLoadBenchmark;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;

/** {@code atelier bench ingest-load}: ingest of folders of growing size, with the driver's memory. */
@Command(name = "ingest-load", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"ingest of folders of small synthetic photos (with duplicates and broken files) at growing counts,",
                "side by side in one driver: images/s, the driver's live heap and peak RSS, the summary reconciled",
                "against what each folder holds, and a re-run with nothing to do."})
final class IngestLoadBench extends BenchCommand.SettingsBench<BenchSettings.IngestLoad> {
    @Mixin
    BenchCommand.ScratchOptions scratch;

    @Mixin
    SparkOptions spark;

    IngestLoadBench() {
        super(BenchSettings.IngestLoad.class, BenchSettings.IngestLoad.DEFAULTS);
    }

    @Override
    int run(BenchSettings.IngestLoad s) throws Exception {
        List<Integer> counts = s.countList();
        SparkSession session = BenchCommand.session("bench ingest-load", spark.master, java.util.Map.of());
        try {
            scratch.print("atelier-bench-ingest-load", dir -> IngestLoadBenchmark.run(session, counts, s.width(), s.size(), dir));
        } finally {
            session.stop(); // stop executors before the JVM exits, or a local-cluster's workers relaunch them
        }
        return 0;
    }
}
