package io.atelier.common.bench;

import com.sun.management.OperatingSystemMXBean;
import io.atelier.common.families.dcgan.DcganArchitecture;
import io.atelier.common.families.dcgan.DcganConfig;
import io.atelier.common.families.dcgan.DcganTrainer;
import io.atelier.common.families.dcgan.DcganWorker;
import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.WorkerData;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times the reference 28x28 DCGAN train step (one D update on a real and a fake batch, one G
 * update through D) on synthetic data, and relates it to the backend's fp32 matmul peak
 * measured in the same run. FLOPs per step follow the usual convention: G forward once and
 * backward twice its forward, D forward and backward (3x) on the real batch, the fake batch
 * of the D update and the fake batch of the G update: 2 * B * (3 G + 9 D) multiply-adds,
 * 10.42 GFLOP at batch 64. (The step itself does less: the G update skips D's weight
 * gradients.) On a machine shared with other work, run the JVM with OMP_WAIT_POLICY=PASSIVE
 * (see {@link io.atelier.common.compute.NativeThreads}); CPU time per step is reported beside wall time.
 */
public final class GanStepBenchmark {
    private static final int PEAK_N = 2048;
    private static final int PEAK_REPS = 5;

    private GanStepBenchmark() {
    }

    /**
     * @param cpuMsPerStep process CPU time per timed step: on a shared machine wall time
     *                     includes waiting for a core, CPU time does not
     */
    public record Result(int batch, int steps, int threads, double medianMs, double minMs, double maxMs,
                         double cpuMsPerStep, double gflopPerStep, double peakGflops, String backend,
                         String kernels, double firstDLoss, double firstGLoss) {

        public double imagesPerSecond() {
            return batch * 1000.0 / medianMs;
        }

        public double gflops() {
            return gflopPerStep / (medianMs / 1000.0);
        }

        public double peakShare() {
            return gflops() / peakGflops;
        }

        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "DCGAN 28x28x1 reference step, batch %d, %d timed steps, %d thread(s) (%s: %s)%n",
                    batch, steps, threads, backend, kernels));
            row(sb, "median ms/step", "%.1f", medianMs);
            row(sb, "min / max ms/step", "%.1f / %.1f", minMs, maxMs);
            row(sb, "CPU ms/step", "%.1f", cpuMsPerStep);
            row(sb, "images/s", "%.0f", imagesPerSecond());
            row(sb, "GFLOP/step", "%.2f", gflopPerStep);
            row(sb, "GFLOP/s", "%.1f", gflops());
            row(sb, "matmul peak GFLOP/s", "%.1f  (Nd4j.gemm, fp32 " + PEAK_N + "^3)", peakGflops);
            row(sb, "share of peak", "%.0f%%", 100 * peakShare());
            row(sb, "step-0 D / G loss", "%.3f / %.3f", firstDLoss, firstGLoss);
            return sb.toString();
        }

        public String json() {
            return String.format(Locale.ROOT,
                    "{\"bench\":\"dcgan_step\",\"backend\":\"%s\",\"batch\":%d,\"steps\":%d,\"threads\":%d,\"ms_per_step\":%.2f,"
                            + "\"min_ms\":%.2f,\"cpu_ms_per_step\":%.2f,\"images_per_s\":%.1f,\"gflop_per_step\":%.3f,"
                            + "\"gflops\":%.2f,\"peak_gflops\":%.2f,\"peak_share\":%.4f}",
                    backend, batch, steps, threads, medianMs, minMs, cpuMsPerStep, imagesPerSecond(), gflopPerStep, gflops(),
                    peakGflops, peakShare());
        }

        private static void row(StringBuilder sb, String name, String fmt, Object... v) {
            sb.append(String.format(Locale.ROOT, "  %-22s %s%n", name, String.format(Locale.ROOT, fmt, v)));
        }
    }

    /** GFLOP of one reference-convention train step at this batch size. */
    public static double stepGflop(DcganArchitecture arch, int batch) {
        return 2.0 * batch * (3.0 * arch.generatorMacs() + 9.0 * arch.discriminatorMacs()) / 1e9;
    }

    /**
     * Times several backends in one process on the same thread count: each warms up, then
     * {@code rounds} rounds run a block of {@code steps} timed steps of each backend in turn
     * (the order reversed every other round), so load from other work on a shared machine falls
     * on all of them alike. Medians are over all timed steps of a backend.
     */
    public static List<Result> compare(List<GanStep.Provider> backends, int batch, int warmup, int steps, int rounds,
                                       int threads) {
        if (batch < 1 || steps < 1 || warmup < 0 || threads < 0 || rounds < 1 || backends.isEmpty()) {
            throw new IllegalArgumentException("need batch >= 1, steps >= 1, warmup >= 0, threads >= 0, rounds >= 1"
                    + " and a backend; got " + batch + ", " + steps + ", " + warmup + ", " + threads + ", " + rounds);
        }
        int n = backends.size();
        List<GanStep> open = new ArrayList<>();
        double[][] ms = new double[n][rounds * steps];
        long[] cpu = new long[n];
        double[][] first = new double[n][];
        try {
            for (GanStep.Provider p : backends) {
                open.add(p.open(batch, threads));
            }
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < warmup; i++) {
                    double[] losses = open.get(b).step(i);
                    first[b] = first[b] == null ? losses : first[b];
                }
            }
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < n; k++) {
                    int b = r % 2 == 0 ? k : n - 1 - k;
                    GanStep step = open.get(b);
                    long cpu0 = os.getProcessCpuTime();
                    for (int i = 0; i < steps; i++) {
                        long t0 = System.nanoTime();
                        double[] losses = step.step(warmup + (long) r * steps + i);
                        ms[b][r * steps + i] = (System.nanoTime() - t0) / 1e6;
                        first[b] = first[b] == null ? losses : first[b];
                    }
                    cpu[b] += os.getProcessCpuTime() - cpu0;
                }
            }
            double gflop = stepGflop(DcganTrainer.architecture(DcganConfig.reference()), batch);
            double peak = matmulPeak();
            List<Result> results = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                double[] sorted = ms[b].clone();
                Arrays.sort(sorted);
                int m = sorted.length;
                double median = m % 2 == 1 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
                results.add(new Result(batch, m, open.get(b).threads(), median, sorted[0], sorted[m - 1],
                        cpu[b] / 1e6 / m, gflop, peak, open.get(b).backend(), kernels(open.get(b)),
                        first[b][0], first[b][1]));
            }
            return results;
        } finally {
            for (GanStep s : open) {
                s.close();
            }
        }
    }

    /**
     * The comparison as one table: per backend median ms/step, images/s, GFLOP/s and its speed
     * relative to the last backend (the reference one).
     */
    public static BenchTable comparisonTable(List<Result> results, int rounds) {
        Result ref = results.get(results.size() - 1);
        Result any = results.get(0);
        BenchTable table = new BenchTable(String.format(Locale.ROOT,
                "DCGAN 28x28x1 reference step, batch %d, %d thread(s), %d timed steps each in %d alternating rounds, %d cores",
                any.batch(), any.threads(), any.steps(), rounds, Runtime.getRuntime().availableProcessors()),
                "backend", "median ms/step", "min ms", "CPU ms/step", "images/s", "GFLOP/s", "speed vs " + ref.backend(),
                "step-0 D / G loss");
        for (Result r : results) {
            table.row(r.backend(), fmt("%.1f", r.medianMs()), fmt("%.1f", r.minMs()), fmt("%.1f", r.cpuMsPerStep()),
                    fmt("%.0f", r.imagesPerSecond()), fmt("%.1f", r.gflops()), fmt("%.2fx", ref.medianMs() / r.medianMs()),
                    fmt("%.3f / %.3f", r.firstDLoss(), r.firstGLoss()));
        }
        table.note(String.format(Locale.ROOT, "%.2f GFLOP/step; fp32 matmul peak %.1f GFLOP/s (Nd4j.gemm %d^3);"
                + " speed = %s median / backend median", any.gflopPerStep(), any.peakGflops(), PEAK_N, ref.backend()));
        return table;
    }

    private static String fmt(String f, Object... v) {
        return String.format(Locale.ROOT, f, v);
    }

    /** Median GFLOP/s of a square fp32 gemm through the backend's BLAS. */
    public static double matmulPeak() {
        INDArray a = Nd4j.rand(DataType.FLOAT, PEAK_N, PEAK_N);
        INDArray b = Nd4j.rand(DataType.FLOAT, PEAK_N, PEAK_N);
        INDArray c = Nd4j.create(DataType.FLOAT, PEAK_N, PEAK_N);
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        double[] t = new double[PEAK_REPS];
        for (int i = 0; i < PEAK_REPS; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return 2.0 * PEAK_N * PEAK_N * (double) PEAK_N / t[PEAK_REPS / 2] / 1e9;
    }

    private static String kernels(GanStep step) {
        return AtelierGanStep.NAME.equals(step.backend()) ? Nd4j.getBackend().getClass().getSimpleName()
                : "its own kernels";
    }

    /**
     * What every backend's step starts from, so their losses and weights can be compared: the
     * reference config at a batch size, Atelier's initial state for {@link #RUN_SEED} and
     * synthetic images; step i of every backend draws its real batch and z with
     * {@link DcganWorker#drawInputs} for {@link #RUN_SEED}, round 0, step i.
     */
    public record Start(DcganConfig config, TrainingState state, WorkerData data) {
        public static final long RUN_SEED = 1;

        public static Start reference(int batch) {
            DcganConfig config = DcganConfig.reference().withBatchSize(batch);
            return new Start(config, new DcganTrainer(config).initialState(RUN_SEED),
                    syntheticData(config, Math.max(4 * batch, 256), 7));
        }
    }

    /** Random images (and labels when conditional) in the config's geometry. */
    public static WorkerData syntheticData(DcganConfig config, int count, long seed) {
        Rng rng = new Rng(seed);
        byte[] pixels = new byte[count * config.imageFloats()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) rng.nextInt(256);
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = config.conditional() ? rng.nextInt(config.numClasses()) : -1;
        }
        return new WorkerData(0, count, config.channels(), config.imageSize(), config.imageSize(), pixels, labels);
    }
}
