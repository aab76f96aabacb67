package io.atelier.jobs;

import io.atelier.common.io.OutputLease;
import io.atelier.common.style.FastStyleModel;
import io.atelier.common.style.TransformerNet;
import io.atelier.common.testing.SampleImages;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two runs into one output: the second waits for the first's lease or stops with exit code 2 and
 * one line naming the first, and the output holds each row once.
 */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class OverlappingRunsTest {
    private static final Path ROOT = EmbedCommandTest.ROOT;

    @TempDir
    Path tmp;

    /**
     * The reported case: a stylize run holds the output while a second one (no wait) is started into it and a
     * third (--wait-for-lease) queues behind it. Before the lease, the second run's cleanup removed committed
     * rows of the first, or both wrote every pair.
     */
    @Test
    void aSecondStylizeIntoTheSameOutputStopsWithCode2AndEachRowIsStoredOnce() throws Exception {
        Path catalog = tmp.resolve("catalog");
        for (int i = 0; i < 9; i++) {
            SampleImages.write(catalog.resolve("p" + i + ".png"), SampleImages.shape(i % 4, i, 40, 30), "png");
        }
        Path model = tmp.resolve("model");
        TransformerNet.Config net = new TransformerNet.Config(2, 1);
        new FastStyleModel("tiny", "none", net, TransformerNet.initial(net, 1), Map.of()).save(model.toString(),
                new Configuration());
        Path out = tmp.resolve("stylized");
        List<String> args = List.of("stylize", "--input", catalog.toString(), "--method", "fast", "--model", model.toString(),
                "--out", out.toString(), "--size", "32", "--images-per-task", "1", "--master", "local[2]");
        Path leaseFile = tmp.resolve("_stylized.lease");
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int secondCode;
        CompletableFuture<Integer> first;
        CompletableFuture<Integer> third;
        boolean firstRunning;
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
            first = CompletableFuture.supplyAsync(() -> AtelierCli.run(args.toArray(String[]::new)));
            // The second starts once the first is writing rows, where the two used to collide.
            Path writing = out.resolve("_temporary");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (!Files.exists(writing) && !first.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(Files.exists(writing), "the first run is writing: " + errors);
            secondCode = AtelierCli.run(args.toArray(String[]::new));
            firstRunning = !first.isDone();
            List<String> waiting = new ArrayList<>(args);
            waiting.addAll(List.of("--wait-for-lease", "300"));
            third = CompletableFuture.supplyAsync(() -> AtelierCli.run(waiting.toArray(String[]::new)));
            assertEquals(0, first.get(300, TimeUnit.SECONDS), "first run: " + errors);
            assertEquals(0, third.get(300, TimeUnit.SECONDS), "third run: " + errors);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String err = errors.toString(StandardCharsets.UTF_8);
        String stdout = printed.toString(StandardCharsets.UTF_8);
        SparkSession spark = SparkSession.active();
        long rows = spark.read().parquet(out.toString()).count();
        assertEquals(2, secondCode, "the second run's exit code (the output now holds " + rows + " rows): " + stdout);
        assertTrue(firstRunning, "the first run still ran when the second was refused");
        List<String> refusals = Arrays.stream(err.split("\n")).filter(l -> l.startsWith("atelier stylize: ")).toList();
        assertEquals(1, refusals.size(), err);
        String refusal = refusals.get(0);
        assertTrue(refusal.matches("atelier stylize: .*stylized is in use by stylize run [0-9a-f]{8} on host \\S+ \\(pid "
                + ProcessHandle.current().pid() + "\\) since \\d{4}-\\d\\d-\\d\\dT\\S+Z \\(last heartbeat \\d+ s ago\\);"
                + " run again once it has finished .*; or pass --wait-for-lease SECONDS to wait for it"), refusal);
        assertTrue(err.contains("_stylized.lease: held by stylize run") && err.contains("waiting up to 300 s"), err);
        // The first run stylized all nine, the refused one nothing, the waiting one found them done.
        assertEquals(2, count(stdout, "stylize: in 9 = "), stdout);
        assertTrue(stdout.contains("stylize: in 9 = stylized 9 + skipped 0 + quarantined 0"), stdout);
        assertTrue(stdout.contains("stylize: in 9 = stylized 0 + skipped 9 + quarantined 0"), stdout);
        assertEquals(9, rows, "each (image, style) pair once");
        assertEquals(9, spark.read().parquet(out.toString()).select("id", "style").distinct().count());
        assertFalse(Files.exists(leaseFile), "released");
        assertFalse(Files.exists(out.resolve("_temporary")), "no task left half-committed");
    }

    /**
     * Every command that writes a shared output refuses while another run holds its lease, before it writes
     * anything; for the trainers with --resume too (two resumes interleaved their checkpoints).
     */
    @ParameterizedTest
    @ValueSource(strings = {"stylize", "generate", "embed", "evaluate", "ingest", "train-gan", "train-diffusion",
            "train-style", "train-classifier"})
    void everyWritingCommandRefusesAnOutputLeasedByAnotherRun(String command) throws Exception {
        String images = ROOT.resolve("data/images/content").toString();
        String dataset = tmp.resolve("dataset").toString();
        Path out = tmp.resolve(command.equals("evaluate") ? "report.json" : command.equals("train-classifier")
                ? "model.zip" : "out");
        List<String> args = switch (command) {
            case "stylize" -> List.of("--input", images, "--method", "fast", "--model",
                    ROOT.resolve("data/models/style-starry_night").toString(), "--out", out.toString());
            case "generate" -> List.of("--model", tmp.resolve("run").toString(), "--count", "4", "--out", out.toString());
            case "embed" -> List.of("--input", images, "--out", out.toString());
            case "evaluate" -> List.of("--real", dataset, "--fake", dataset, "--out", out.toString());
            case "ingest" -> List.of("--input", images, "--output", out.toString(), "--size", "16");
            case "train-gan", "train-diffusion" -> List.of("--data", dataset, "--out", out.toString(), "--resume");
            case "train-style" -> List.of("--style", ROOT.resolve("data/images/style/starry_night.jpg").toString(),
                    "--data", dataset, "--out", out.toString(), "--resume");
            case "train-classifier" -> List.of("--data", dataset, "--out", out.toString());
            default -> throw new IllegalArgumentException(command);
        };
        List<String> line = new ArrayList<>(List.of(command));
        line.addAll(args);
        line.addAll(List.of("--master", "local[1]"));
        try (OutputLease other = OutputLease.acquire(out.toString(), "other", Duration.ZERO, new Configuration(), s -> { })) {
            AtelierCliTest.Result r = AtelierCliTest.atelier(line.toArray(String[]::new));
            assertEquals(2, r.code(), r.out() + r.err());
            assertTrue(r.err().startsWith("atelier " + command + ": " + out + " is in use by other run " + other.holder().run()
                    + " on host " + other.holder().host() + " (pid " + other.holder().pid() + ") since "), r.err());
            assertEquals(1, r.err().lines().count(), "one line: " + r.err());
            assertFalse(Files.exists(out), "nothing written");
            assertTrue(Files.readString(tmp.resolve("_" + out.getFileName() + ".lease")).contains(other.holder().run()),
                    "the holder's lease is left alone");
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
