package io.atelier.jobs;

import io.atelier.common.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the machine itself gives from 1 to 2 processes: the DCGAN step timed in one process
 * alone, then in two processes at once, each with one compute thread. Two vCPUs may share
 * floating-point units, so the ideal for the engine is this, not 2x.
 */
final class HardwareScaling {
    record Result(double singleMs, double pairMs, double speedup) {
    }

    private HardwareScaling() {
    }

    static Result measure(int batch, int steps) throws IOException, InterruptedException {
        double single = run(1, batch, steps).get(0);
        List<Double> pair = run(2, batch, steps);
        double pairMs = (pair.get(0) + pair.get(1)) / 2;
        return new Result(single, pairMs, 2 * single / pairMs);
    }

    /** Starts {@code n} step benchmarks at once and returns each one's median ms/step. */
    private static List<Double> run(int n, int batch, int steps) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "io.atelier.jobs.AtelierCli", "bench", "gan-step", "--batch", String.valueOf(batch),
                    "--steps", String.valueOf(steps), "--threads", "1", "--json").redirectErrorStream(true);
            pb.environment().put("OMP_NUM_THREADS", "1");
            pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
            processes.add(pb.start());
        }
        List<Double> ms = new ArrayList<>();
        for (Process p : processes) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("the step benchmark process failed:\n" + out);
            }
            String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
            ms.add(Json.MAPPER.readTree(last).path("ms_per_step").asDouble());
        }
        return ms;
    }
}
