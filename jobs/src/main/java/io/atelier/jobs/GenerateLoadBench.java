package io.atelier.jobs;

import io.atelier.common.bench.BenchSettings;
import io.atelier.common.bench.GenerateLoadBenchmark;
import io.atelier.common.families.Families;
import io.atelier.common.families.SamplingOptions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;

/** {@code atelier bench generate-load}: the driver's memory of {@code generate} at growing counts. */
@Command(name = "generate-load", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"generate from one trained run at growing counts, side by side in one driver: seconds, images/s,",
                "the driver's live heap and peak RSS, and the bytes tasks sent back to it (the heap left after a run",
                "and those bytes must not grow with the count). Train a model first, e.g. train-gan --rounds 1;",
                "--master local-cluster[2,1,2048] keeps the executors out of the driver's figures."})
final class GenerateLoadBench extends BenchCommand.SettingsBench<BenchSettings.GenerateLoad> {
    @Mixin
    BenchCommand.ScratchOptions scratch;

    @Mixin
    SparkOptions spark;

    GenerateLoadBench() {
        super(BenchSettings.GenerateLoad.class, BenchSettings.GenerateLoad.DEFAULTS);
    }

    @Override
    int run(BenchSettings.GenerateLoad s) throws Exception {
        s.requireGiven();
        List<Long> counts = s.countList();
        SparkSession session = BenchCommand.session("bench generate-load", spark.master, java.util.Map.of());
        var source = Families.openRun(s.model(), session.sparkContext().hadoopConfiguration(), SamplingOptions.NONE);
        try {
            scratch.print("atelier-bench-generate-load", dir -> GenerateLoadBenchmark.run(session, source, counts, s.seed(), dir));
        } finally {
            session.stop(); // stop executors before the JVM exits, or a local-cluster's workers relaunch them
        }
        return 0;
    }
}
