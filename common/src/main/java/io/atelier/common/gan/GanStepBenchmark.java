package io.atelier.common.gan;

import com.sun.management.OperatingSystemMXBean;
import io.atelier.common.nn.DcganArchitecture;
import io.atelier.common.train.NativeThreads;
import io.atelier.common.nn.Rng;
import io.atelier.common.train.TrainingState;
import io.atelier.common.train.WorkerData;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the reference 28x28 DCGAN train step (one D update on a real and a fake batch, one G
 * update through D) on synthetic data, and relates it to the backend's fp32 matmul peak
 * measured in the same run. FLOPs per step follow the usual convention: G forward once and
 * backward twice its forward, D forward and backward (3x) on the real batch, the fake batch
 * of the D update and the fake batch of the G update: 2 * B * (3 G + 9 D) multiply-adds,
 * 10.42 GFLOP at batch 64. (The step itself does less: the G update skips D's weight
 * gradients.) On a machine shared with other work, run the JVM with OMP_WAIT_POLICY=PASSIVE
 * (see {@link NativeThreads}); CPU time per step is reported beside wall time.
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
                         double cpuMsPerStep, double gflopPerStep, double peakGflops, String backend) {

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
            sb.append(String.format(Locale.ROOT, "DCGAN 28x28x1 reference step, batch %d, %d timed steps, %d thread(s) (%s)%n",
                    batch, steps, threads, backend));
            row(sb, "median ms/step", "%.1f", medianMs);
            row(sb, "min / max ms/step", "%.1f / %.1f", minMs, maxMs);
            row(sb, "CPU ms/step", "%.1f", cpuMsPerStep);
            row(sb, "images/s", "%.0f", imagesPerSecond());
            row(sb, "GFLOP/step", "%.2f", gflopPerStep);
            row(sb, "GFLOP/s", "%.1f", gflops());
            row(sb, "matmul peak GFLOP/s", "%.1f  (Nd4j.gemm, fp32 " + PEAK_N + "^3)", peakGflops);
            row(sb, "share of peak", "%.0f%%", 100 * peakShare());
            return sb.toString();
        }

        public String json() {
            return String.format(Locale.ROOT,
                    "{\"bench\":\"dcgan_step\",\"batch\":%d,\"steps\":%d,\"threads\":%d,\"ms_per_step\":%.2f,"
                            + "\"min_ms\":%.2f,\"cpu_ms_per_step\":%.2f,\"images_per_s\":%.1f,\"gflop_per_step\":%.3f,"
                            + "\"gflops\":%.2f,\"peak_gflops\":%.2f,\"peak_share\":%.4f}",
                    batch, steps, threads, medianMs, minMs, cpuMsPerStep, imagesPerSecond(), gflopPerStep, gflops(),
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

    /** Runs and prints the table and a JSON line to {@code out}. */
    public static Result run(int batch, int warmup, int steps, int threads, PrintStream out) {
        Result r = run(batch, warmup, steps, threads);
        out.print(r.table());
        out.println(r.json());
        return r;
    }

    /**
     * @param warmup  untimed steps first: the JIT needs a few dozen before the Java loops settle
     * @param threads native threads for the run (restored afterwards); 0 keeps the current count
     */
    public static Result run(int batch, int warmup, int steps, int threads) {
        if (batch < 1 || steps < 1 || warmup < 0 || threads < 0) {
            throw new IllegalArgumentException("need batch >= 1, steps >= 1, warmup >= 0, threads >= 0; got "
                    + batch + ", " + steps + ", " + warmup + ", " + threads);
        }
        int previous = NativeThreads.get();
        if (threads > 0) {
            NativeThreads.set(threads);
        }
        try {
            return measure(batch, warmup, steps);
        } finally {
            NativeThreads.set(previous);
        }
    }

    private static Result measure(int batch, int warmup, int steps) {
        DcganConfig config = DcganConfig.reference().withBatchSize(batch);
        DcganTrainer trainer = new DcganTrainer(config);
        WorkerData data = syntheticData(config, Math.max(4 * batch, 256), 7);
        TrainingState state = trainer.initialState(1);
        DcganWorker worker = trainer.newWorker();
        double[] metrics = new double[DcganTrainer.METRICS.size()];
        double[] ms = new double[steps];
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu;
        worker.bind(state, data);
        try {
            for (int i = 0; i < warmup; i++) {
                worker.step(1, 0, i, metrics);
            }
            long cpu0 = os.getProcessCpuTime();
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                worker.step(1, 0, warmup + i, metrics);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            cpu = os.getProcessCpuTime() - cpu0;
        } finally {
            worker.unbind(state, 0);
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = steps % 2 == 1 ? sorted[steps / 2] : (sorted[steps / 2 - 1] + sorted[steps / 2]) / 2;
        return new Result(batch, steps, NativeThreads.get(), median, sorted[0], sorted[steps - 1], cpu / 1e6 / steps,
                stepGflop(trainer.architecture(), batch), matmulPeak(), backendName());
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

    private static String backendName() {
        return Nd4j.getBackend().getClass().getSimpleName();
    }

    /** Random images (and labels when conditional) in the config's geometry. */
    static WorkerData syntheticData(DcganConfig config, int count, long seed) {
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
