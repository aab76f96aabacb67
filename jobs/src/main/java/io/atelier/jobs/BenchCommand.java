package io.atelier.jobs;

import io.atelier.common.bench.BenchSettings;
import io.atelier.common.bench.CycleGanBenchmark;
import io.atelier.common.bench.DiffusionBenchmark;
import io.atelier.common.bench.EvaluationBenchmark;
import io.atelier.common.bench.GanStep;
import io.atelier.common.bench.GanStepBenchmark;
import io.atelier.common.bench.IngestBenchmark;
import io.atelier.common.bench.StyleGanBenchmark;
import io.atelier.common.classify.ClassifierFeatures;
import io.atelier.common.families.cyclegan.CycleGanSettings;
import io.atelier.common.io.Json;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code atelier bench <what>}: side-by-side measurements printed as a table. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print a table of side-by-side measurements.",
        subcommands = {BenchCommand.IngestBench.class, BenchCommand.GanStepBench.class,
                BenchCommand.DiffusionStepBench.class, BenchCommand.CycleGanStepBench.class, BenchCommand.StyleGanStepBench.class,
                BenchCommand.SampleBench.class,
                BenchCommand.ScalingBenchCommand.class, BenchCommand.EvaluateBench.class,
                BenchCommand.StylizeBench.class, BenchCommand.StylizeRerunBench.class, GenerateLoadBench.class,
                IngestLoadBench.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** A benchmark that works in a scratch directory and returns its table. */
    interface ScratchBench {
        io.atelier.common.bench.BenchTable run(Path dir) throws Exception;
    }

    /** Where a benchmark works and how it prints: the options and the runner bench ingest and bench stylize share. */
    static final class ScratchOptions {
        @Option(names = "--work-dir", description = "Scratch directory (default: a new temporary one, deleted after).")
        Path workDir;

        @Option(names = "--json", description = "Also print the rows as one JSON line.")
        boolean json;

        /** Runs in --work-dir, or in a new temporary directory deleted after; prints the table (and its JSON line). */
        void print(String prefix, ScratchBench bench) throws Exception {
            boolean temporary = workDir == null;
            Path dir = temporary ? Files.createTempDirectory(prefix) : workDir;
            try {
                var table = bench.run(dir);
                table.print(System.out);
                if (json) {
                    System.out.println(Json.line(table.rows()));
                }
            } finally {
                if (temporary) {
                    org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
                }
            }
        }
    }

    /**
     * A benchmark whose flags come from its record in {@link BenchSettings}: defaults, then
     * {@code --config FILE}, then flags, resolved as for every other command.
     */
    abstract static class SettingsBench<T extends Record> implements Callable<Integer>, SettingsOptions.Command<T> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
        String config;

        private final Class<T> type;
        private final T defaults;

        SettingsBench(Class<T> type, T defaults) {
            this.type = type;
            this.defaults = defaults;
        }

        @Override
        public Class<T> settingsType() {
            return type;
        }

        @Override
        public T defaults() {
            return defaults;
        }

        @Override
        public Integer call() throws Exception {
            return run(SettingsOptions.resolve(spec, type, defaults, config));
        }

        abstract int run(T settings) throws Exception;
    }

    /** Prints a step benchmark's table unless only its JSON line was asked for, then the JSON line. */
    private static int printStep(io.atelier.common.bench.BenchTable table, String json, boolean jsonOnly) {
        if (!jsonOnly) {
            table.print(System.out);
        }
        System.out.println(json);
        return 0;
    }

    /**
     * A bench's session. A local-cluster master first gets the Spark home its executors start from,
     * so they run in JVMs of their own and the driver's figures are its own.
     */
    static SparkSession session(String name, String master, java.util.Map<String, String> settings) {
        if (LocalClusters.isLocalCluster(master)) {
            LocalClusters.prepare();
        }
        return SparkSessions.create(name, master, settings);
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
            description = "atelier ingest vs Spark's image data source on the same synthetic JPEGs.")
    static final class IngestBench extends SettingsBench<BenchSettings.Ingest> {
        @Mixin
        ScratchOptions scratch;

        @Mixin
        SparkOptions spark;

        IngestBench() {
            super(BenchSettings.Ingest.class, BenchSettings.Ingest.DEFAULTS);
        }

        @Override
        int run(BenchSettings.Ingest s) throws Exception {
            SparkSession session = session("bench ingest", spark.master, java.util.Map.of());
            scratch.print("atelier-bench-ingest", dir -> IngestBenchmark.run(session, dir, s.images(), s.size(), s.repeats()));
            return 0;
        }
    }

    @Command(name = "gan-step", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"One reference DCGAN training step (28x28x1, batch B): ms, images/s, GFLOP/s, share of matmul peak.",
                    "--backend libtorch runs the same step on libtorch's own kernels, --compare runs both in one process",
                    "(libtorch needs a build with the torch profile: " + GanStepBench.TORCH_BUILD + ")."})
    static final class GanStepBench extends SettingsBench<BenchSettings.GanStep> {
        static final String TORCH_BUILD = "mvn -Ptorch -DskipTests package";
        static final String LIBTORCH = "libtorch";

        GanStepBench() {
            super(BenchSettings.GanStep.class, BenchSettings.GanStep.DEFAULTS);
        }

        @Override
        int run(BenchSettings.GanStep s) {
            List<String> names = s.compare() ? List.of("atelier", LIBTORCH) : List.of(s.backend());
            List<GanStep.Provider> providers = new ArrayList<>();
            for (String name : names) {
                var p = GanStep.provider(name);
                if (p.isEmpty()) {
                    System.err.println(LIBTORCH.equals(name)
                            ? "atelier: the libtorch backend is not built in; build with `" + TORCH_BUILD
                                    + "` (downloads libtorch 2.5.1's natives, about 110 MB) and run again"
                            : "atelier: unknown backend '" + name + "' (atelier or libtorch)");
                    return 2;
                }
                providers.add(p.get());
            }
            int rounds = s.compare() ? s.rounds() : 1;
            var results = GanStepBenchmark.compare(providers, s.batch(), s.warmup(), s.steps(), rounds, s.threadCount());
            if (!s.json()) {
                if (s.compare()) {
                    GanStepBenchmark.comparisonTable(results, s.rounds()).print(System.out);
                } else {
                    System.out.print(results.get(0).table());
                }
            }
            for (var r : results) {
                System.out.println(r.json());
            }
            return 0;
        }
    }

    @Command(name = "diffusion-step", mixinStandardHelpOptions = true, sortOptions = false,
            description = "One train step of the default 28x28 U-Net (batch B): ms, images/s, GFLOP/s, share of matmul peak.")
    static final class DiffusionStepBench extends SettingsBench<BenchSettings.DiffusionStep> {
        DiffusionStepBench() {
            super(BenchSettings.DiffusionStep.class, BenchSettings.DiffusionStep.DEFAULTS);
        }

        @Override
        int run(BenchSettings.DiffusionStep s) {
            var result = DiffusionBenchmark.step(s.batch(), s.warmup(), s.steps(), s.threadCount(), s.conditional(), s.captioned());
            return printStep(result.table(), result.json(), s.json());
        }
    }

    @Command(name = "cyclegan-step", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"One CycleGAN worker step at the family's defaults (two generators, two PatchGAN discriminators,",
                    "batch B of each domain): ms, images/s, GFLOP/s, share of matmul peak."})
    static final class CycleGanStepBench extends SettingsBench<BenchSettings.CycleGanStep> {
        CycleGanStepBench() {
            super(BenchSettings.CycleGanStep.class, BenchSettings.CycleGanStep.DEFAULTS);
        }

        @Override
        int run(BenchSettings.CycleGanStep s) {
            int b = s.batch() != null ? s.batch() : CycleGanSettings.DEFAULTS.batch();
            var result = CycleGanBenchmark.step(s.size(), s.channels(), b, s.warmup(), s.steps(), s.threadCount());
            return printStep(result.table(), result.json(), s.json());
        }
    }

    @Command(name = "stylegan-step", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"One StyleGAN2 worker step at the family's defaults (mapping, modulated synthesis, residual D,",
                    "R1 every 16th step): ms, GFLOP/s, share of matmul peak."})
    static final class StyleGanStepBench extends SettingsBench<BenchSettings.StyleGanStep> {
        StyleGanStepBench() {
            super(BenchSettings.StyleGanStep.class, BenchSettings.StyleGanStep.DEFAULTS);
        }

        @Override
        int run(BenchSettings.StyleGanStep s) {
            var result = StyleGanBenchmark.step(s.size(), s.channels(), s.batch(), s.warmup(), s.steps(), s.threadCount());
            return printStep(result.table(), result.json(), s.json());
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Images/s of DDIM sampling with the default 28x28 U-Net (conditional, guided).")
    static final class SampleBench extends SettingsBench<BenchSettings.Sample> {
        SampleBench() {
            super(BenchSettings.Sample.class, BenchSettings.Sample.DEFAULTS);
        }

        @Override
        int run(BenchSettings.Sample s) {
            var result = DiffusionBenchmark.sample(s.images(), s.steps(), s.guidance(), s.threadCount());
            return printStep(result.table(), result.json(), s.json());
        }
    }

    @Command(name = "scaling", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Engine scaling: images/s with 1 and 2 workers (one core each) and the averaging overhead",
                    "at K = 1, 5, 20, beside the speed-up the machine itself gives from 1 to 2 processes."})
    static final class ScalingBenchCommand extends SettingsBench<BenchSettings.Scaling> {
        @Option(names = "--master", defaultValue = "local-cluster[2,1,3072]",
                description = "Master with two one-core executors (default: ${DEFAULT-VALUE}).")
        String master;

        ScalingBenchCommand() {
            super(BenchSettings.Scaling.class, BenchSettings.Scaling.DEFAULTS);
        }

        @Override
        int run(BenchSettings.Scaling s) throws Exception {
            HardwareScaling.Result hw = HardwareScaling.measure(64, s.hardwareSteps());
            SparkSession session = session("bench scaling", master,
                    java.util.Map.of("spark.executorEnv.OMP_NUM_THREADS", "1", "spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE",
                            "spark.task.maxFailures", "1"));
            String dataset = s.data() != null ? s.data() : JobSteps.vendoredFashionMnist(session,
                    Files.createTempDirectory("atelier-bench-scaling").resolve("fashion-mnist").toString());
            var manifest = io.atelier.common.data.ImageDataset.open(session, dataset).manifest();
            var trainer = new io.atelier.common.families.dcgan.DcganTrainer(io.atelier.common.families.dcgan.DcganConfig.forManifest(manifest, false));
            var rows = io.atelier.common.bench.ScalingBench.run(session, trainer, dataset,
                    new io.atelier.common.bench.ScalingBench.Options(java.util.List.of(1, 2), java.util.List.of(1, 5, 20),
                            s.rounds(), 1, 42));
            var table = new io.atelier.common.bench.BenchTable("bench scaling: DCGAN " + manifest.height() + "x"
                    + manifest.width() + "x" + manifest.channels() + ", batch 64, master " + master + ", "
                    + Runtime.getRuntime().availableProcessors() + " cores",
                    "workers", "K", "images/s", "speed-up vs 1 worker", "round s", "averaging overhead");
            for (var r : rows) {
                table.row(r.workers(), r.localSteps(), r.imagesPerSecond(), r.speedup(), r.roundSeconds(),
                        String.format("%.1f%%", 100 * r.overheadShare()));
            }
            double engine = rows.stream().filter(r -> r.workers() == 2 && r.localSteps() == 20)
                    .mapToDouble(r -> r.speedup()).findFirst().orElse(Double.NaN);
            table.note(String.format("hardware: one step process %.1f ms/step alone, %.1f ms/step as one of two:"
                    + " the machine gives %.2fx from 1 to 2 processes", hw.singleMs(), hw.pairMs(), hw.speedup()));
            table.note(String.format("engine at K=20: %.2fx from 1 to 2 workers = %.2f of the hardware's speed-up",
                    engine, engine / hw.speedup()));
            table.print(System.out);
            session.stop(); // stop executors before the JVM exits, or workers relaunch them
            return 0;
        }
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Images/s of evaluation's feature extraction + statistics on 1 and 2 workers.")
    static final class EvaluateBench extends SettingsBench<BenchSettings.Evaluate> {
        @Mixin
        SparkOptions spark;

        EvaluateBench() {
            super(BenchSettings.Evaluate.class, BenchSettings.Evaluate.DEFAULTS);
        }

        @Override
        int run(BenchSettings.Evaluate s) {
            s.requireGiven();
            SparkSession session = session("bench evaluate", spark.master, java.util.Map.of());
            EvaluationBenchmark.run(session, s.data(), ClassifierFeatures.load(s.features(),
                    session.sparkContext().hadoopConfiguration()), s.images(), s.repeats()).print(System.out);
            return 0;
        }
    }

    @Command(name = "stylize", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Fast-method images/s at 256 and 512 px, Gatys seconds per 256-px image per 100 iterations,",
                    "and the stylize job's peak heap at 1,000 and 10,000 catalog images."})
    static final class StylizeBench extends SettingsBench<BenchSettings.Stylize> {
        @Option(names = "--master", defaultValue = "local-cluster[1,2,1024]",
                description = "Master of the memory runs: by default one executor JVM of its own (2 cores, 1 GiB),"
                        + " so its heap is the executor's alone (default: ${DEFAULT-VALUE}).")
        String master;

        @Mixin
        ScratchOptions scratch;

        StylizeBench() {
            super(BenchSettings.Stylize.class, BenchSettings.Stylize.DEFAULTS);
        }

        @Override
        int run(BenchSettings.Stylize s) throws Exception {
            List<Integer> catalogs = s.catalogSizes();
            java.util.Map<String, String> settings = java.util.Map.of("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
            String m = Files.isDirectory(Path.of(s.model())) ? s.model() : null;
            // A session per catalog, which the bench stops (so its executors stop before the JVM exits,
            // or the workers relaunch them and log stack traces).
            scratch.print("atelier-bench-stylize", dir -> io.atelier.common.bench.StylizeBenchmark.run(
                    () -> session("bench stylize", master, settings),
                    new io.atelier.common.bench.StylizeBenchmark.Options(m, s.style(), List.of(256, 512),
                            s.fastImages(), s.gatysIterations(), catalogs, s.catalogSize(), dir)));
            return 0;
        }
    }

    @Command(name = "stylize-rerun", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"stylize --method fast over catalogs of small synthetic images on 2 workers (executor live heap",
                    "over the work stage), then its re-run with nothing to do without and with the output's listing."})
    static final class StylizeRerunBench extends SettingsBench<BenchSettings.StylizeRerun> {
        @Option(names = "--master", defaultValue = "local-cluster[2,1,1024]",
                description = "Master: by default 2 workers of 1 core and 1 GiB, each executor its own JVM (default: ${DEFAULT-VALUE}).")
        String master;

        @Mixin
        ScratchOptions scratch;

        StylizeRerunBench() {
            super(BenchSettings.StylizeRerun.class, BenchSettings.StylizeRerun.DEFAULTS);
        }

        @Override
        int run(BenchSettings.StylizeRerun s) throws Exception {
            List<Integer> catalogs = s.catalogSizes();
            java.util.Map<String, String> settings = java.util.Map.of("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
            scratch.print("atelier-bench-stylize-rerun", dir -> io.atelier.common.bench.StylizeRerunBenchmark.run(
                    () -> session("bench stylize-rerun", master, settings),
                    new io.atelier.common.bench.StylizeRerunBenchmark.Options(catalogs, s.width(), s.size(), dir)));
            return 0;
        }
    }
}
