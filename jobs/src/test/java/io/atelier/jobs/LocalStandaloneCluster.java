package io.atelier.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A standalone master and workers on 127.0.0.1 started by deploy/standalone/local-cluster.sh, the
 * shaded jar submitted to them, and the processes of a run (driver, executors) found by their
 * command lines so that a test can kill them.
 */
final class LocalStandaloneCluster implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();
    static final Path SCRIPT = ROOT.resolve("deploy/standalone/local-cluster.sh");
    private static final Pattern RUNNING = Pattern.compile("Running task (\\S+ in stage \\S+)");
    private static final Pattern FINISHED = Pattern.compile("Finished task (\\S+ in stage \\S+)");

    final Path dir;
    private final int port;
    /** The Spark installation the master, workers and spark-submit run from; null: local-cluster.sh assembles one. */
    private final Path sparkHome;

    private LocalStandaloneCluster(Path dir, int port, Path sparkHome) {
        this.dir = dir;
        this.port = port;
        this.sparkHome = sparkHome;
    }

    /** Starts {@code workers} workers of {@code cores} cores and {@code memory} each, with state and logs in {@code dir}. */
    static LocalStandaloneCluster start(Path dir, int workers, int cores, String memory) throws Exception {
        return start(dir, workers, cores, memory, null);
    }

    /** As {@link #start(Path, int, int, String)}, every JVM on the jars of the Spark installation {@code sparkHome}. */
    static LocalStandaloneCluster start(Path dir, int workers, int cores, String memory, Path sparkHome) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LocalStandaloneCluster cluster = new LocalStandaloneCluster(dir, port, sparkHome);
        Process start = cluster.script("start", String.valueOf(workers), String.valueOf(cores), memory);
        String out = output(start, 180);
        assertEquals(0, start.exitValue(), "cluster start failed: " + out);
        return cluster;
    }

    @Override
    public void close() throws Exception {
        output(script("stop"), 60);
    }

    Process script(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        environment(pb);
        return pb.start();
    }

    String master() {
        return "spark://127.0.0.1:" + port;
    }

    /**
     * deploy/atelier-submit --master (this cluster) [options] -- command, as a user runs it with
     * SPARK_HOME set to the cluster's installation; waits up to {@code seconds} and returns the exit code.
     */
    int atelierSubmit(Path log, List<String> sparkOptions, long seconds, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("bash", ROOT.resolve("deploy/atelier-submit").toString(), "--master", master()));
        args.addAll(sparkOptions);
        args.add("--");
        args.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile());
        environment(pb);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return await(pb.start(), seconds);
    }

    private void environment(ProcessBuilder pb) {
        pb.environment().put("ATELIER_CLUSTER_DIR", dir.toString());
        pb.environment().put("ATELIER_MASTER_PORT", String.valueOf(port));
        pb.environment().remove("SPARK_CONF_DIR");
        if (sparkHome == null) {
            pb.environment().remove("SPARK_HOME");
        } else {
            pb.environment().put("SPARK_HOME", sparkHome.toString());
            // The build's own setting would reach executors through the workers' environment; without
            // it, an executor has OMP_WAIT_POLICY only if the submitted settings carried it there.
            pb.environment().remove("OMP_WAIT_POLICY");
        }
    }

    /** spark-submit of {@code command} with its driver's output going to {@code log}; does not wait. */
    Process submit(Path log, List<String> sparkOptions, String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of("bash", SCRIPT.toString(), "submit"));
        args.addAll(sparkOptions);
        args.add("--");
        args.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile());
        environment(pb);
        return pb.start();
    }

    /** Waits for {@code p} (killing it after {@code seconds}); returns its exit code. */
    static int await(Process p, long seconds) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("timed out after " + seconds + " s");
        }
        return p.exitValue();
    }

    static String output(Process p, long seconds) throws Exception {
        byte[] bytes = p.getInputStream().readAllBytes();
        await(p, seconds);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The driver JVM of a submitted run (the SparkSubmit process under the script). */
    static ProcessHandle driver(Process submitted) {
        return submitted.descendants().filter(p -> p.info().commandLine().orElse("").contains("SparkSubmit"))
                .findFirst().orElseThrow(() -> new AssertionError("no SparkSubmit JVM under the submit script"));
    }

    /** The executor JVMs the cluster's workers have started and that are alive now. */
    List<ProcessHandle> executors() throws IOException {
        Set<Long> workers;
        try (var pids = Files.list(dir)) {
            workers = pids.filter(f -> f.getFileName().toString().matches("worker-\\d+\\.pid"))
                    .map(f -> Long.parseLong(read(f).trim())).collect(Collectors.toSet());
        }
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .filter(p -> p.parent().map(parent -> workers.contains(parent.pid())).orElse(false))
                .toList();
    }

    /**
     * An executor with a task running now (its log shows a task started and not finished), once
     * {@code ready} holds; waits up to {@code seconds}.
     */
    Optional<ProcessHandle> executorInTask(BooleanSupplier ready, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (ready.getAsBoolean()) {
                for (ProcessHandle e : executors()) {
                    if (inTask(e)) {
                        return Optional.of(e);
                    }
                }
            }
            Thread.sleep(50);
        }
        return Optional.empty();
    }

    /** Whether the executor's stderr (in its work directory) shows a task running now. */
    private static boolean inTask(ProcessHandle executor) {
        Path stderr;
        try {
            stderr = Files.readSymbolicLink(Path.of("/proc", String.valueOf(executor.pid()), "cwd")).resolve("stderr");
        } catch (IOException e) {
            return false; // it exited meanwhile
        }
        String log = read(stderr);
        Set<String> running = matches(RUNNING, log);
        running.removeAll(matches(FINISHED, log));
        return !running.isEmpty();
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        Set<String> found = new java.util.HashSet<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8); // lenient: logs may hold any bytes
        } catch (IOException e) {
            return "";
        }
    }
}
