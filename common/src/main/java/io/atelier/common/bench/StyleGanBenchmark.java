package io.atelier.common.bench;

import io.atelier.common.compute.NativeThreads;
import io.atelier.common.data.Manifest;
import io.atelier.common.families.stylegan.StyleGanArchitecture;
import io.atelier.common.families.stylegan.StyleGanConfig;
import io.atelier.common.families.stylegan.StyleGanSettings;
import io.atelier.common.families.stylegan.StyleGanTrainer;
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
 * Times one worker's StyleGAN2 train step at the family's default settings on random images, and
 * relates it to the backend's fp32 matmul peak measured in the same run.
 *
 * <p>FLOPs per step are 2 x the multiply-adds of what the step runs, a backward pass counted as 2x
 * its forward pass (every layer here computes weight and data gradients, the modulated ones
 * because the styles need the data gradient). D step: G forward on B rows, D forward and backward
 * on B fakes and B reals (2 x 3 passes), and every 16th step R1's three forward and backward
 * passes on B reals (9 / 16 on average). G step: G forward and backward (3 passes), D forward and
 * backward (3). With G and D the multiply-adds of one image's forward pass, a step is
 * 2 x B x (4 G + (9 + 9 / 16) D) FLOPs; the mapping's second latent, demodulation, noise, Adam
 * and the EMA are left out.
 */
public final class StyleGanBenchmark {
    static final double GENERATOR_PASSES = 4;
    static final double DISCRIMINATOR_PASSES = 9 + 9 / 16.0;

    private static final long RUN_SEED = 1;

    private StyleGanBenchmark() {
    }

    public record Result(BenchTable table, String json) {
    }

    /** The family's default config for {@code size}-pixel images of {@code channels} channels, one worker, batch B. */
    public static StyleGanConfig config(int size, int channels, int batch) {
        StyleGanSettings settings = Configs.resolve(StyleGanSettings.class, StyleGanSettings.DEFAULTS, null,
                Map.of("workers", 1, "batch", batch));
        return settings.stylegan(new Manifest(Manifest.SCHEMA_VERSION, Manifest.FORMAT, "bench stylegan-step", size, size,
                channels, channels == 1 ? "GRAY" : "BGR", 1, null, List.of(), null, null, null, null));
    }

    public static double stepGflop(StyleGanArchitecture arch, int batch) {
        return 2.0 * batch * (GENERATOR_PASSES * arch.generatorMacsPerImage()
                + DISCRIMINATOR_PASSES * arch.discriminatorMacsPerImage()) / 1e9;
    }

    public static Result step(int size, int channels, int batch, int warmup, int steps, int threads) {
        BenchSupport.requireStepArguments(batch, warmup, steps, threads);
        StyleGanConfig config = config(size, channels, batch);
        return BenchSupport.withThreads(threads, () -> measure(config, warmup, steps));
    }

    private static Result measure(StyleGanConfig config, int warmup, int steps) {
        int batch = config.batchSize();
        StyleGanArchitecture arch = config.architecture();
        StyleGanTrainer trainer = new StyleGanTrainer(config);
        TrainingState state = trainer.initialState(RUN_SEED);
        ModelTrainer.LocalWorker worker = trainer.newWorker();
        int count = Math.max(4 * batch, 64);
        Rng rng = new Rng(7);
        byte[] pixels = BenchSupport.randomPixels(rng, count * config.imageFloats());
        WorkerData data = new WorkerData(0, count, config.channels(), config.imageSize(), config.imageSize(), pixels, new int[count]);
        // Step 0 is an R1 step; time steps 1.. so that R1 is counted at its average share only if
        // 16 or more steps are timed (the table says which steps ran R1).
        BenchSupport.StepTimes times = timeSteps(worker, state, data, StyleGanTrainer.METRICS.size(), RUN_SEED, warmup, steps);
        int r1Steps = 0;
        for (int i = warmup; i < warmup + steps; i++) {
            r1Steps += i % config.r1Interval() == 0 ? 1 : 0;
        }
        double median = times.medianMs();
        double min = times.minMs();
        double max = times.maxMs();
        double cpuMs = times.cpuMsPerStep();
        double gflop = stepGflop(arch, batch);
        double peak = GanStepBenchmark.matmulPeak();
        double gflops = gflop / (median / 1000);
        int threads = NativeThreads.get();
        double cpuShare = gflop / (cpuMs / 1000) / (peak / threads);
        long gParams = arch.generatorParams().size();
        long dParams = arch.discriminatorParams().size();
        int s = config.imageSize();
        BenchTable t = new BenchTable(String.format(Locale.ROOT,
                "bench stylegan-step: %dx%dx%d (z, w %d; %d mapping layers; %d channels), batch %d, %d timed steps"
                        + " (%d with R1), %d thread(s)%nFLOP/step = 2 x B x (4 G + 9.5625 D) multiply-adds",
                s, s, config.channels(), config.latentDim(), config.mappingLayers(), config.width(), batch, steps, r1Steps,
                threads), "measure", "value");
        t.row("parameters (G, D)", fmt("%d, %d", gParams, dParams));
        t.row("median ms/step", fmt("%.1f", median));
        t.row("min / max ms/step", fmt("%.1f / %.1f", min, max));
        t.row("CPU ms/step", fmt("%.1f", cpuMs));
        t.row("images/s (B real per step)", fmt("%.1f", batch * 1000 / median));
        t.row("GFLOP/step", fmt("%.2f", gflop));
        t.row("GFLOP/s", fmt("%.1f", gflops));
        t.row("matmul peak GFLOP/s", fmt("%.1f", peak));
        t.row("share of peak", fmt("%.0f%%", 100 * gflops / peak));
        t.row("share of peak by CPU time", fmt("%.0f%%", 100 * cpuShare));
        String json = fmt("{\"bench\":\"stylegan_step\",\"size\":%d,\"channels\":%d,\"batch\":%d,\"steps\":%d,\"r1_steps\":%d,"
                        + "\"threads\":%d,\"g_params\":%d,\"d_params\":%d,\"ms_per_step\":%.2f,\"min_ms\":%.2f,\"max_ms\":%.2f,"
                        + "\"cpu_ms_per_step\":%.2f,\"gflop_per_step\":%.4f,\"gflops\":%.2f,\"peak_gflops\":%.2f,"
                        + "\"peak_share\":%.4f,\"cpu_peak_share\":%.4f}",
                s, config.channels(), batch, steps, r1Steps, threads, gParams, dParams, median, min, max, cpuMs, gflop, gflops,
                peak, gflops / peak, cpuShare);
        return new Result(t, json);
    }
}
