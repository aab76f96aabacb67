package io.atelier.common.bench;

import io.atelier.common.compute.NativeThreads;
import io.atelier.common.families.diffusion.DiffusionConfig;
import io.atelier.common.families.diffusion.DiffusionRun;
import io.atelier.common.families.diffusion.DiffusionSampler;
import io.atelier.common.families.diffusion.DiffusionTrainer;
import io.atelier.common.families.diffusion.DiffusionWorker;
import io.atelier.common.families.diffusion.TextEncoder;
import io.atelier.common.families.diffusion.Vocabulary;
import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.WorkerData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static io.atelier.common.bench.BenchSupport.fmt;
import static io.atelier.common.bench.BenchSupport.timeSteps;
import static io.atelier.common.bench.BenchSupport.withThreads;

/**
 * Times the default 28x28 U-Net's train step on synthetic data (or the captioned 32x32 RGB
 * configuration: the default U-Net with the transformer text encoder over synthetic captions
 * shaped like the emoji sample's) and relates it to the backend's fp32 matmul peak measured in
 * the same run (FLOPs: forward and a backward of twice the forward,
 * 3 x 2 x multiply-adds per image), and times DDIM sampling in images/s.
 */
public final class DiffusionBenchmark {
    private DiffusionBenchmark() {
    }

    /** One line of results and the table they print as. */
    public record Result(BenchTable table, String json) {
    }

    /** Captioned configuration: words, captions and the longest caption's words of the emoji sample. */
    static final int CAPTION_WORDS = 166;
    static final int CAPTIONS = 102;
    static final int CAPTION_TOKENS = 6;

    public static Result step(int batch, int warmup, int steps, int threads, boolean conditional) {
        return step(batch, warmup, steps, threads, conditional, false);
    }

    /** As above; {@code captioned}: the 32x32 RGB U-Net with the transformer text encoder instead. */
    public static Result step(int batch, int warmup, int steps, int threads, boolean conditional, boolean captioned) {
        return withThreads(threads, () -> {
            DiffusionConfig config = (captioned ? captioned() : config(conditional)).withOptimizer(5e-4, 200, 1.0, 0.999, batch);
            DiffusionTrainer trainer = new DiffusionTrainer(config);
            TrainingState state = trainer.initialState(1);
            DiffusionWorker worker = trainer.newWorker();
            WorkerData data = synthetic(config, Math.max(4 * batch, 256));
            BenchSupport.StepTimes times = timeSteps(worker, state, data, DiffusionTrainer.METRICS.size(), 1, warmup, steps);
            double median = times.medianMs();
            double gflop = 6.0 * batch * worker.network().macsPerImage() / 1e9;
            double peak = GanStepBenchmark.matmulPeak();
            double gflops = gflop / (median / 1000);
            String condition = captioned ? String.format(Locale.ROOT, ", transformer text encoder (%d blocks, %d tokens, %d words)",
                    config.textLayers(), config.maxTokens(), config.vocabulary().size()) : conditional ? ", conditional" : "";
            BenchTable t = new BenchTable(String.format(Locale.ROOT,
                    "bench diffusion-step: U-Net %dx%dx%d (base %d, levels %s, attention %s%s), batch %d, %d timed steps, %d thread(s)",
                    config.imageSize(), config.imageSize(), config.channels(), config.base(), config.mults(),
                    config.attention() ? "on" : "off", condition, batch, steps, NativeThreads.get()), "measure", "value");
            t.row("parameters", fmt("%d", worker.network().params().layout().size()));
            t.row("median ms/step", fmt("%.1f", median));
            t.row("min / max ms/step", fmt("%.1f / %.1f", times.minMs(), times.maxMs()));
            t.row("CPU ms/step", fmt("%.1f", times.cpuMsPerStep()));
            t.row("images/s", fmt("%.0f", batch * 1000 / median));
            t.row("GFLOP/step", fmt("%.2f", gflop));
            t.row("GFLOP/s", fmt("%.1f", gflops));
            t.row("matmul peak GFLOP/s", fmt("%.1f", peak));
            t.row("share of peak", fmt("%.0f%%", 100 * gflops / peak));
            // On a shared machine wall time includes waiting for a core; CPU time does not.
            // GFLOP per CPU-second against the peak per thread-second.
            double cpuShare = gflop / (times.cpuMsPerStep() / 1000) / (peak / NativeThreads.get());
            t.row("share of peak by CPU time", fmt("%.0f%%", 100 * cpuShare));
            String json = fmt("{\"bench\":\"diffusion_step\",\"config\":\"%s\",\"batch\":%d,\"steps\":%d,\"threads\":%d,\"ms_per_step\":%.2f,"
                    + "\"gflop_per_step\":%.3f,\"gflops\":%.2f,\"peak_gflops\":%.2f,\"peak_share\":%.4f}",
                    captioned ? "captioned_32x32x3" : conditional ? "conditional_28x28x1" : "28x28x1",
                    batch, steps, NativeThreads.get(), median, gflop, gflops, peak, gflops / peak);
            return new Result(t, json);
        });
    }

    public static Result sample(int images, int ddimSteps, double guidance, int threads) {
        return withThreads(threads, () -> {
            DiffusionConfig config = config(true);
            DiffusionSampler sampler = new DiffusionSampler(config, DiffusionRun.MAX_ROWS);
            float[] weights = new DiffusionTrainer(config).initialState(1).get(DiffusionTrainer.EMA);
            Vocabulary vocabulary = config.vocabulary();
            DiffusionSampler.Settings settings = new DiffusionSampler.Settings(DiffusionSampler.Method.DDIM, ddimSteps, 0, guidance);
            long[] indices = new long[images];
            int[][] conditions = new int[images][];
            for (int i = 0; i < images; i++) {
                indices[i] = i;
                conditions[i] = vocabulary.caption(i % vocabulary.captions());
            }
            sampler.sample(weights, 0, Arrays.copyOf(indices, Math.min(8, images)),
                    Arrays.copyOf(conditions, Math.min(8, images)), settings, null);
            long t0 = System.nanoTime();
            sampler.sample(weights, 1, indices, conditions, settings, null);
            double seconds = (System.nanoTime() - t0) / 1e9;
            BenchTable t = new BenchTable(String.format(Locale.ROOT,
                    "bench sample: default 28x28 U-Net, DDIM %d steps, guidance %.1f (%s), %d images, %d thread(s)",
                    ddimSteps, guidance, guidance == 0 || guidance == 1 ? "one pass per step" : "two passes per step",
                    images, NativeThreads.get()), "measure", "value");
            t.row("seconds", fmt("%.2f", seconds));
            t.row("images/s", fmt("%.2f", images / seconds));
            t.row("ms per image and step", fmt("%.2f", seconds * 1000 / images / ddimSteps));
            String json = fmt("{\"bench\":\"sample\",\"images\":%d,\"steps\":%d,\"guidance\":%.2f,\"seconds\":%.3f,\"images_per_s\":%.3f}",
                    images, ddimSteps, guidance, seconds, images / seconds);
            return new Result(t, json);
        });
    }

    private static DiffusionConfig config(boolean conditional) {
        DiffusionConfig c = DiffusionConfig.defaults(28, 1);
        return conditional ? c.withCaptions(java.util.List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"), 0.1) : c;
    }

    /** The 32x32 RGB default with the transformer encoder over captions of 1 to 6 words from 166. */
    public static DiffusionConfig captioned() {
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < CAPTIONS; i++) {
            StringBuilder c = new StringBuilder();
            for (int j = 0; j <= i % CAPTION_TOKENS; j++) {
                c.append(j == 0 ? "" : " ").append("w").append((i + j * CAPTIONS) % CAPTION_WORDS);
            }
            captions.add(c.toString());
        }
        return DiffusionConfig.defaults(32, 3).withCaptions(captions, DiffusionConfig.CaptionSource.CAPTION, 0.1)
                .withTextEncoder(TextEncoder.Kind.TRANSFORMER, 2);
    }

    private static WorkerData synthetic(DiffusionConfig config, int count) {
        Rng rng = new Rng(7);
        byte[] pixels = BenchSupport.randomPixels(rng, count * config.imageFloats());
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = config.conditional() ? rng.nextInt(config.captions().size()) : -1;
        }
        return new WorkerData(0, count, config.channels(), config.imageSize(), config.imageSize(), pixels, labels);
    }
}
