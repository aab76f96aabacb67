package io.atelier.jobs;

import io.atelier.common.bench.EvaluationBenchmark;
import io.atelier.common.bench.GanStep;
import io.atelier.common.bench.GanStepBenchmark;
import io.atelier.common.bench.IngestBenchmark;
import io.atelier.common.classify.ClassifierFeatures;
import io.atelier.common.io.Json;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
                BenchCommand.StylizeBench.class, BenchCommand.StylizeRerunBench.class})
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

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "atelier ingest vs Spark's image data source on the same synthetic JPEGs.")
    static final class IngestBench implements Callable<Integer> {
        @Option(names = "--images", defaultValue = "2000", description = "JPEGs to generate (default: ${DEFAULT-VALUE}).")
        int images;

        @Option(names = "--size", defaultValue = "64", description = "Atelier's stored size (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--repeats", defaultValue = "3", description = "Timed runs of each (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Mixin
        ScratchOptions scratch;

        @Mixin
        SparkOptions spark;

        @Override
        public Integer call() throws Exception {
            SparkSession session = SparkSessions.create("bench ingest", spark.master);
            scratch.print("atelier-bench-ingest", dir -> IngestBenchmark.run(session, dir, images, size, repeats));
            return 0;
        }
    }

    @Command(name = "gan-step", mixinStandardHelpOptions = true,
            description = {"One reference DCGAN training step (28x28x1, batch B): ms, images/s, GFLOP/s, share of matmul peak.",
                    "--backend libtorch runs the same step on libtorch's own kernels, --compare runs both in one process",
                    "(libtorch needs a build with the torch profile: " + GanStepBench.TORCH_BUILD + ")."})
    static final class GanStepBench implements Callable<Integer> {
        static final String TORCH_BUILD = "mvn -Ptorch -DskipTests package";
        static final String LIBTORCH = "libtorch";

        @Option(names = "--batch", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--steps", defaultValue = "20", description = "Timed steps (per backend and round with --compare; default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", defaultValue = "30", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--threads", description = "Native compute threads (default: all cores).")
        Integer threads;

        @Option(names = "--backend", defaultValue = "atelier", description = "atelier or libtorch (default: ${DEFAULT-VALUE}).")
        String backend;

        @Option(names = "--compare", description = "Run atelier and libtorch alternately in one process and print one table.")
        boolean compare;

        @Option(names = "--rounds", defaultValue = "3", description = "Alternating rounds with --compare (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--json", description = "Print only the JSON line(s) (the last has ms_per_step).")
        boolean json;

        @Override
        public Integer call() {
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            List<String> names = compare ? List.of("atelier", LIBTORCH) : List.of(backend);
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
            var results = GanStepBenchmark.compare(providers, batch, warmup, steps, compare ? rounds : 1, t);
            if (!json) {
                if (compare) {
                    GanStepBenchmark.comparisonTable(results, rounds).print(System.out);
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

    @Command(name = "diffusion-step", mixinStandardHelpOptions = true,
            description = "One train step of the default 28x28 U-Net (batch B): ms, images/s, GFLOP/s, share of matmul peak.")
    static final class DiffusionStepBench implements Callable<Integer> {
        @Option(names = "--batch", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--steps", defaultValue = "10", description = "Timed steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", defaultValue = "5", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--threads", description = "Native compute threads (default: all cores).")
        Integer threads;

        @Option(names = "--conditional", description = "With a 10-class condition (as --conditional trains).")
        boolean conditional;

        @Option(names = "--captioned", description = "The captioned 32x32 RGB configuration instead: the default U-Net with"
                + " the transformer text encoder (2 blocks) over synthetic captions shaped like the emoji sample's.")
        boolean captioned;

        @Option(names = "--json", description = "Print only the JSON line.")
        boolean json;

        @Override
        public Integer call() {
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            var result = io.atelier.common.bench.DiffusionBenchmark.step(batch, warmup, steps, t, conditional, captioned);
            if (!json) {
                result.table().print(System.out);
            }
            System.out.println(result.json());
            return 0;
        }
    }

    @Command(name = "cyclegan-step", mixinStandardHelpOptions = true,
            description = {"One CycleGAN worker step at the family's defaults (two generators, two PatchGAN discriminators,",
                    "batch B of each domain): ms, images/s, GFLOP/s, share of matmul peak."})
    static final class CycleGanStepBench implements Callable<Integer> {
        @Option(names = "--size", defaultValue = "32", description = "Image side: 28, 32 or 64 (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--channels", defaultValue = "3", description = "1 (grey) or 3 (RGB) (default: ${DEFAULT-VALUE}).")
        int channels;

        @Option(names = "--batch", description = "Images of each domain per step (default: the family's, 4).")
        Integer batch;

        @Option(names = "--steps", defaultValue = "10", description = "Timed steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--threads", description = "Native compute threads (default: all cores).")
        Integer threads;

        @Option(names = "--json", description = "Print only the JSON line.")
        boolean json;

        @Override
        public Integer call() {
            if (size != 28 && size != 32 && size != 64) {
                throw new IllegalArgumentException("--size " + size + ": use 28, 32 or 64");
            }
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            int b = batch != null ? batch : io.atelier.common.families.cyclegan.CycleGanSettings.DEFAULTS.batch();
            var result = io.atelier.common.bench.CycleGanBenchmark.step(size, channels, b, warmup, steps, t);
            if (!json) {
                result.table().print(System.out);
            }
            System.out.println(result.json());
            return 0;
        }
    }

    @Command(name = "stylegan-step", mixinStandardHelpOptions = true,
            description = {"One StyleGAN2 worker step at the family's defaults (mapping, modulated synthesis, residual D,",
                    "R1 every 16th step): ms, GFLOP/s, share of matmul peak."})
    static final class StyleGanStepBench implements Callable<Integer> {
        @Option(names = "--size", defaultValue = "32", description = "Image side: 32 or 64 (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--channels", defaultValue = "1", description = "1 (grey) or 3 (RGB) (default: ${DEFAULT-VALUE}).")
        int channels;

        @Option(names = "--batch", defaultValue = "32", description = "Images per step (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--steps", defaultValue = "5", description = "Timed steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", defaultValue = "1", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--threads", description = "Native compute threads (default: all cores).")
        Integer threads;

        @Option(names = "--json", description = "Print only the JSON line.")
        boolean json;

        @Override
        public Integer call() {
            if (size != 32 && size != 64) {
                throw new IllegalArgumentException("--size " + size + ": use 32 or 64");
            }
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            var result = io.atelier.common.bench.StyleGanBenchmark.step(size, channels, batch, warmup, steps, t);
            if (!json) {
                result.table().print(System.out);
            }
            System.out.println(result.json());
            return 0;
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true,
            description = "Images/s of DDIM sampling with the default 28x28 U-Net (conditional, guided).")
    static final class SampleBench implements Callable<Integer> {
        @Option(names = "--images", defaultValue = "64", description = "Images to sample (default: ${DEFAULT-VALUE}).")
        int images;

        @Option(names = "--steps", defaultValue = "50", description = "DDIM steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--guidance", defaultValue = "2", description = "Guidance; 0 or 1 need one pass per step (default: ${DEFAULT-VALUE}).")
        double guidance;

        @Option(names = "--threads", description = "Native compute threads (default: all cores).")
        Integer threads;

        @Option(names = "--json", description = "Print only the JSON line.")
        boolean json;

        @Override
        public Integer call() {
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            var result = io.atelier.common.bench.DiffusionBenchmark.sample(images, steps, guidance, t);
            if (!json) {
                result.table().print(System.out);
            }
            System.out.println(result.json());
            return 0;
        }
    }

    @Command(name = "scaling", mixinStandardHelpOptions = true,
            description = {"Engine scaling: images/s with 1 and 2 workers (one core each) and the averaging overhead",
                    "at K = 1, 5, 20, beside the speed-up the machine itself gives from 1 to 2 processes."})
    static final class ScalingBenchCommand implements Callable<Integer> {
        @Option(names = "--data", description = "Dataset to train on (default: the vendored Fashion-MNIST, ingested to a temp dir).")
        String data;

        @Option(names = "--rounds", defaultValue = "3", description = "Measured rounds per (W, K) (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--hardware-steps", defaultValue = "20", description = "Steps per process for the hardware baseline (default: ${DEFAULT-VALUE}).")
        int hardwareSteps;

        @Option(names = "--master", defaultValue = "local-cluster[2,1,3072]",
                description = "Master with two one-core executors (default: ${DEFAULT-VALUE}).")
        String master;

        @Override
        public Integer call() throws Exception {
            HardwareScaling.Result hw = HardwareScaling.measure(64, hardwareSteps);
            if (LocalClusters.isLocalCluster(master)) {
                LocalClusters.prepare();
            }
            SparkSession session = SparkSessions.create("bench scaling", master,
                    java.util.Map.of("spark.executorEnv.OMP_NUM_THREADS", "1", "spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE",
                            "spark.task.maxFailures", "1"));
            String dataset = data != null ? data : JobSteps.vendoredFashionMnist(session,
                    Files.createTempDirectory("atelier-bench-scaling").resolve("fashion-mnist").toString());
            var manifest = io.atelier.common.data.ImageDataset.open(session, dataset).manifest();
            var trainer = new io.atelier.common.families.dcgan.DcganTrainer(io.atelier.common.families.dcgan.DcganConfig.forManifest(manifest, false));
            var rows = io.atelier.common.bench.ScalingBench.run(session, trainer, dataset,
                    new io.atelier.common.bench.ScalingBench.Options(java.util.List.of(1, 2), java.util.List.of(1, 5, 20),
                            rounds, 1, 42));
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

    @Command(name = "evaluate", mixinStandardHelpOptions = true,
            description = "Images/s of evaluation's feature extraction + statistics on 1 and 2 workers.")
    static final class EvaluateBench implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "DATASET", description = "Images to summarise.")
        String data;

        @Option(names = "--features", required = true, paramLabel = "MODEL", description = "Feature network (train-classifier output).")
        String features;

        @Option(names = "--images", defaultValue = "4000", description = "Images per run (default: ${DEFAULT-VALUE}).")
        int images;

        @Option(names = "--repeats", defaultValue = "3", description = "Timed runs of each (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Mixin
        SparkOptions spark;

        @Override
        public Integer call() {
            SparkSession session = SparkSessions.create("bench evaluate", spark.master);
            EvaluationBenchmark.run(session, data, ClassifierFeatures.load(features,
                    session.sparkContext().hadoopConfiguration()), images, repeats).print(System.out);
            return 0;
        }
    }

    @Command(name = "stylize", mixinStandardHelpOptions = true,
            description = {"Fast-method images/s at 256 and 512 px, Gatys seconds per 256-px image per 100 iterations,",
                    "and the stylize job's peak heap at 1,000 and 10,000 catalog images."})
    static final class StylizeBench implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "data/models/style-starry_night",
                description = "Fast style model (default: ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--style", defaultValue = "data/images/style/starry_night.jpg",
                description = "Style image for Gatys (default: ${DEFAULT-VALUE}).")
        String style;

        @Option(names = "--fast-images", defaultValue = "20", description = "Images timed per size (default: ${DEFAULT-VALUE}).")
        int fastImages;

        @Option(names = "--gatys-iterations", defaultValue = "10",
                description = "Gatys iterations timed, scaled to 100; 0 skips Gatys (default: ${DEFAULT-VALUE}).")
        int gatysIterations;

        @Option(names = "--catalogs", defaultValue = "1000,10000", split = ",",
                description = "Catalog sizes for the memory runs (default: ${DEFAULT-VALUE}).")
        java.util.List<Integer> catalogs;

        @Option(names = "--catalog-size", defaultValue = "64", description = "--size of the memory runs (default: ${DEFAULT-VALUE}).")
        int catalogSize;

        @Option(names = "--master", defaultValue = "local-cluster[1,2,1024]",
                description = "Master of the memory runs: by default one executor JVM of its own (2 cores, 1 GiB),"
                        + " so its heap is the executor's alone (default: ${DEFAULT-VALUE}).")
        String master;

        @Mixin
        ScratchOptions scratch;

        @Override
        public Integer call() throws Exception {
            if (LocalClusters.isLocalCluster(master)) {
                LocalClusters.prepare();
            }
            java.util.Map<String, String> settings = java.util.Map.of("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
            String m = Files.isDirectory(Path.of(model)) ? model : null;
            // A session per catalog, which the bench stops (so its executors stop before the JVM exits,
            // or the workers relaunch them and log stack traces).
            scratch.print("atelier-bench-stylize", dir -> io.atelier.common.bench.StylizeBenchmark.run(
                    () -> SparkSessions.create("bench stylize", master, settings),
                    new io.atelier.common.bench.StylizeBenchmark.Options(m, style, java.util.List.of(256, 512),
                            fastImages, gatysIterations, catalogs, catalogSize, dir)));
            return 0;
        }
    }

    @Command(name = "stylize-rerun", mixinStandardHelpOptions = true,
            description = {"stylize --method fast over catalogs of small synthetic images on 2 workers (executor live heap",
                    "over the work stage), then its re-run with nothing to do without and with the output's listing."})
    static final class StylizeRerunBench implements Callable<Integer> {
        @Option(names = "--catalogs", defaultValue = "10000,100000", split = ",",
                description = "Catalog sizes (default: ${DEFAULT-VALUE}).")
        java.util.List<Integer> catalogs;

        @Option(names = "--width", defaultValue = "32", description = "Synthetic JPEGs' width; height 3/4 of it (default: ${DEFAULT-VALUE}).")
        int width;

        @Option(names = "--size", defaultValue = "16", description = "stylize --size (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--master", defaultValue = "local-cluster[2,1,1024]",
                description = "Master: by default 2 workers of 1 core and 1 GiB, each executor its own JVM (default: ${DEFAULT-VALUE}).")
        String master;

        @Mixin
        ScratchOptions scratch;

        @Override
        public Integer call() throws Exception {
            if (LocalClusters.isLocalCluster(master)) {
                LocalClusters.prepare();
            }
            java.util.Map<String, String> settings = java.util.Map.of("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
            scratch.print("atelier-bench-stylize-rerun", dir -> io.atelier.common.bench.StylizeRerunBenchmark.run(
                    () -> SparkSessions.create("bench stylize-rerun", master, settings),
                    new io.atelier.common.bench.StylizeRerunBenchmark.Options(catalogs, width, size, dir)));
            return 0;
        }
    }
}
