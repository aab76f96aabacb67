package io.atelier.common.bench;

import io.atelier.common.compute.NativeThreads;
import io.atelier.common.data.Manifest;
import io.atelier.common.families.cyclegan.CycleGanArchitecture;
import io.atelier.common.families.cyclegan.CycleGanConfig;
import io.atelier.common.families.cyclegan.CycleGanSettings;
import io.atelier.common.families.cyclegan.CycleGanTrainer;
import io.atelier.common.io.Configs;
import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.WorkerData;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.atelier.common.bench.BenchSupport.fmt;
import static io.atelier.common.bench.BenchSupport.timeSteps;

/**
 * Times one worker's CycleGAN train step at the family's default settings on synthetic
 * two-domain data, and relates it to the backend's fp32 matmul peak measured in the same run.
 *
 * <p>FLOPs per step are 2 x the multiply-adds of what the step runs, with a backward pass that
 * computes weight and data gradients counted as 2x its forward pass and one that computes data
 * gradients only as 1x. Each generator (G and F) runs forward on 2B rows (translation and
 * identity) and B rows (the cycle), and backward through both: 3 x 3B forward passes. Each
 * discriminator runs forward and data-backward on B rows (the generators' adversarial terms),
 * then forward and full backward on 2B rows (its own update): 2B + 3 x 2B forward passes. With
 * G and D the multiply-adds of one image's forward pass
 * ({@link CycleGanArchitecture#generatorMacsPerImage()},
 * {@link CycleGanArchitecture#discriminatorMacsPerImage()}), a step is
 * 2 x B x (18 G + 16 D) FLOPs. Norms, activations, losses and Adam are left out.
 */
public final class CycleGanBenchmark {
    /** Forward-pass equivalents per image of the batch: both generators, both discriminators. */
    static final int GENERATOR_PASSES = 18;
    static final int DISCRIMINATOR_PASSES = 16;

    private static final long RUN_SEED = 1;

    private CycleGanBenchmark() {
    }

    /** One line of results and the table they print as. */
    public record Result(BenchTable table, String json) {
    }

    /** The family's default config for {@code size}-pixel images of {@code channels} channels, one worker, batch B. */
    public static CycleGanConfig config(int size, int channels, int batch) {
        CycleGanSettings settings = Configs.resolve(CycleGanSettings.class, CycleGanSettings.DEFAULTS, null,
                Map.of("domainA", List.of("a"), "domainB", List.of("b"), "workers", 1, "batch", batch));
        return settings.cyclegan(new Manifest(Manifest.SCHEMA_VERSION, Manifest.FORMAT, "bench cyclegan-step", size, size,
                channels, channels == 1 ? "GRAY" : "BGR", 1, null, List.of("a", "b"), null, null, null, null));
    }

    /** GFLOP of one step at batch B by the counting rule above. */
    public static double stepGflop(CycleGanArchitecture arch, int batch) {
        return 2.0 * batch * ((double) GENERATOR_PASSES * arch.generatorMacsPerImage()
                + (double) DISCRIMINATOR_PASSES * arch.discriminatorMacsPerImage()) / 1e9;
    }

    public static Result step(int size, int channels, int batch, int warmup, int steps, int threads) {
        BenchSupport.requireStepArguments(batch, warmup, steps, threads);
        CycleGanConfig config = config(size, channels, batch);
        return BenchSupport.withThreads(threads, () -> measure(config, warmup, steps));
    }

    private static Result measure(CycleGanConfig config, int warmup, int steps) {
        int batch = config.batchSize();
        CycleGanArchitecture arch = config.architecture();
        CycleGanTrainer trainer = new CycleGanTrainer(config, new float[0], new float[0]);
        TrainingState state = trainer.initialState(RUN_SEED);
        ModelTrainer.LocalWorker worker = trainer.newWorker();
        WorkerData data = synthetic(config, Math.max(8 * batch, 64));
        BenchSupport.StepTimes times = timeSteps(worker, state, data, CycleGanTrainer.METRICS.size(), RUN_SEED, warmup, steps);
        double median = times.medianMs();
        double min = times.minMs();
        double max = times.maxMs();
        double cpuMs = times.cpuMsPerStep();
        double gflop = stepGflop(arch, batch);
        double peak = GanStepBenchmark.matmulPeak();
        double gflops = gflop / (median / 1000);
        int threads = NativeThreads.get();
        // On a shared machine wall time includes waiting for a core; CPU time does not.
        // GFLOP per CPU-second against the peak per thread-second.
        double cpuShare = gflop / (cpuMs / 1000) / (peak / threads);
        double imagesPerSecond = 2.0 * batch * 1000 / median;
        long gParams = arch.generatorParams().size();
        long dParams = arch.discriminatorParams().size();
        int s = config.imageSize();
        BenchTable t = new BenchTable(String.format(Locale.ROOT,
                "bench cyclegan-step: %dx%dx%d (G, F: ngf %d, %d blocks; D_A, D_B: ndf %d, %d layers), batch %d, %d timed steps,"
                        + " %d thread(s)%nFLOP/step = 2 x B x (%d G + %d D) multiply-adds (G, F forward on 2B + B rows,"
                        + " backward 2x; each D forward + data-backward on B rows, forward + full backward on 2B)",
                s, s, config.channels(), config.generatorWidth(), config.residualBlocks(), config.discriminatorWidth(),
                config.discriminatorLayers(), batch, steps, threads, GENERATOR_PASSES, DISCRIMINATOR_PASSES),
                "measure", "value");
        t.row("parameters (G, D)", fmt("%d, %d", gParams, dParams));
        t.row("median ms/step", fmt("%.1f", median));
        t.row("min / max ms/step", fmt("%.1f / %.1f", min, max));
        t.row("CPU ms/step", fmt("%.1f", cpuMs));
        t.row("images/s (2B real per step)", fmt("%.1f", imagesPerSecond));
        t.row("GFLOP/step", fmt("%.2f", gflop));
        t.row("GFLOP/s", fmt("%.1f", gflops));
        t.row("matmul peak GFLOP/s", fmt("%.1f", peak));
        t.row("share of peak", fmt("%.0f%%", 100 * gflops / peak));
        t.row("share of peak by CPU time", fmt("%.0f%%", 100 * cpuShare));
        String json = fmt("{\"bench\":\"cyclegan_step\",\"size\":%d,\"channels\":%d,\"batch\":%d,\"steps\":%d,\"threads\":%d,"
                        + "\"g_params\":%d,\"d_params\":%d,\"ms_per_step\":%.2f,\"min_ms\":%.2f,\"max_ms\":%.2f,"
                        + "\"cpu_ms_per_step\":%.2f,\"images_per_s\":%.2f,\"gflop_per_step\":%.4f,\"gflops\":%.2f,"
                        + "\"peak_gflops\":%.2f,\"peak_share\":%.4f,\"cpu_peak_share\":%.4f}",
                s, config.channels(), batch, steps, threads, gParams, dParams, median, min, max, cpuMs, imagesPerSecond, gflop,
                gflops, peak, gflops / peak, cpuShare);
        return new Result(t, json);
    }

    /** Random images, labels alternating between domain A (0) and domain B (1). */
    private static WorkerData synthetic(CycleGanConfig config, int count) {
        Rng rng = new Rng(7);
        byte[] pixels = BenchSupport.randomPixels(rng, count * config.imageFloats());
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 2;
        }
        return new WorkerData(0, count, config.channels(), config.imageSize(), config.imageSize(), pixels, labels);
    }
}
