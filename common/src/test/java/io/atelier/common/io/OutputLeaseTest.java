package io.atelier.common.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputLeaseTest {
    /** Short enough for a test, and the expiry still several heartbeats. */
    private static final OutputLease.Timing FAST = new OutputLease.Timing(Duration.ofMillis(100), Duration.ofMillis(1000),
            Duration.ofMillis(50));

    @TempDir
    java.nio.file.Path tmp;

    private final List<String> notices = Collections.synchronizedList(new ArrayList<>());

    /** The local disk, and a non-local Hadoop file system over it (the path HDFS and S3A leases take). */
    private Path leaseFile(String scheme) {
        return new Path(scheme + "://" + tmp.resolve("_out.lease").toAbsolutePath());
    }

    private static Configuration conf() {
        Configuration conf = new Configuration();
        conf.set("fs.nonlocal.impl", NonLocalFileSystem.class.getName());
        conf.setBoolean("fs.nonlocal.impl.disable.cache", true);
        return conf;
    }

    private OutputLease acquire(Path file, String job, Duration wait) {
        return OutputLease.acquire(tmp.resolve("out").toString(), file, job, wait, FAST, conf(), notices::add);
    }

    @Test
    void theLeaseLiesBesideTheOutputSoTheOutputStaysUntouched() {
        Configuration conf = conf();
        Path lease = OutputLease.pathFor(new Path(tmp.resolve("runs/stylized").toString()), conf);
        assertEquals("file:" + tmp.resolve("runs/_stylized.lease").toAbsolutePath(), lease.toString());
        try (OutputLease held = OutputLease.acquire(tmp.resolve("runs/stylized").toString(), "stylize", Duration.ZERO,
                conf, notices::add)) {
            assertTrue(Files.isRegularFile(tmp.resolve("runs/_stylized.lease")));
            assertFalse(Files.exists(tmp.resolve("runs/stylized")), "the output itself is not created");
            assertEquals("stylize", held.holder().job());
        }
        assertFalse(Files.exists(tmp.resolve("runs/_stylized.lease")), "released on close");
    }

    @Test
    void ofEightThreadsStartingTogetherExactlyOneWinsAndTheOthersNameIt() throws Exception {
        Path file = leaseFile("file");
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Object>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            String job = "job" + i;
            results.add(pool.submit(() -> {
                start.await();
                try {
                    return acquire(file, job, Duration.ZERO);
                } catch (OutputLease.HeldException e) {
                    return e;
                }
            }));
        }
        start.countDown();
        List<OutputLease> winners = new ArrayList<>();
        List<OutputLease.HeldException> losers = new ArrayList<>();
        for (Future<Object> f : results) {
            Object r = f.get(30, TimeUnit.SECONDS);
            if (r instanceof OutputLease lease) {
                winners.add(lease);
            } else {
                losers.add((OutputLease.HeldException) r);
            }
        }
        pool.shutdown();
        assertEquals(1, winners.size(), "exactly one holder");
        OutputLease.Holder winner = winners.get(0).holder();
        for (OutputLease.HeldException e : losers) {
            String m = e.getMessage();
            assertFalse(m.contains("\n"), "one line: " + m);
            assertTrue(m.contains(winner.job() + " run " + winner.run() + " on host " + winner.host() + " (pid "
                    + winner.pid() + ") since " + winner.since()), m);
            assertTrue(m.contains(tmp.resolve("out").toAbsolutePath() + " is in use by"), m);
        }
        winners.get(0).close();
        acquire(file, "next", Duration.ZERO).close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "nonlocal"})
    void aLeaseWhoseHeartbeatIsOlderThanItsExpiryIsTakenOverWithOneLine(String scheme) throws Exception {
        Path file = leaseFile(scheme);
        Instant beat = Instant.now().minusSeconds(600);
        Files.writeString(tmp.resolve("_out.lease"), Json.line(new OutputLease.Holder("stylize", "crashed-host", 4242,
                "deadbeef", beat.minusSeconds(60).toString(), beat.toString(), 60_000)));
        try (OutputLease lease = acquire(file, "stylize", Duration.ZERO)) {
            assertEquals(1, notices.size(), notices.toString());
            String line = notices.get(0);
            assertTrue(line.contains("took over from stylize run deadbeef on host crashed-host (pid 4242)"), line);
            assertTrue(line.matches(".*last heartbeat was 60[0-9] s ago.*"), line);
            assertEquals(ProcessHandle.current().pid(), lease.holder().pid());
            assertTrue(Files.readString(tmp.resolve("_out.lease")).contains(lease.holder().run()), "the file is ours now");
        }
    }

    @Test
    void anUnreadableLeaseFileExpiresByItsModificationTime() throws Exception {
        java.nio.file.Path raw = tmp.resolve("_out.lease");
        Files.writeString(raw, "{\"job\":\"sty");
        assertThrows(OutputLease.HeldException.class, () -> acquire(leaseFile("file"), "a", Duration.ZERO),
                "a fresh unreadable file counts as held");
        Files.setLastModifiedTime(raw, FileTime.from(Instant.now().minusSeconds(60)));
        try (OutputLease lease = acquire(leaseFile("file"), "b", Duration.ZERO)) {
            assertTrue(notices.stream().anyMatch(n -> n.contains("took over from unknown")), notices.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "nonlocal"})
    void theHeartbeatKeepsALongRunsLeaseAlivePastItsExpiry(String scheme) throws Exception {
        Path file = leaseFile(scheme);
        try (OutputLease held = acquire(file, "long", Duration.ZERO)) {
            Instant first = Instant.parse(held.holder().heartbeat());
            long end = System.nanoTime() + FAST.expiry().multipliedBy(4).toNanos();
            int refused = 0;
            while (System.nanoTime() < end) {
                OutputLease.HeldException e = assertThrows(OutputLease.HeldException.class,
                        () -> acquire(file, "late", Duration.ZERO), "four expiries into the run, the lease is still held");
                assertTrue(e.getMessage().contains("long run " + held.holder().run()), e.getMessage());
                refused++;
                Thread.sleep(150);
            }
            assertTrue(refused >= 10, "contended " + refused + " times");
            OutputLease.Holder onDisk = readWhole(tmp.resolve("_out.lease"));
            assertTrue(Instant.parse(onDisk.heartbeat()).isAfter(first.plus(FAST.expiry())),
                    "heartbeat renewed: " + onDisk.heartbeat() + " vs first " + first);
            assertEquals(held.holder().since(), onDisk.since(), "since stays the start");
            assertFalse(held.lost());
        }
        assertFalse(Files.exists(tmp.resolve("_out.lease")));
        assertEquals(List.of(), notices, "no takeover, no failed heartbeat");
    }

    @Test
    void aWaitingRunGetsTheLeaseWhenTheHolderFinishesAndSaysItWaited() throws Exception {
        Path file = leaseFile("file");
        OutputLease first = acquire(file, "first", Duration.ZERO);
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            first.close();
        });
        releaser.start();
        long t0 = System.nanoTime();
        try (OutputLease second = acquire(file, "second", Duration.ofSeconds(20))) {
            assertEquals("second", second.holder().job());
        }
        releaser.join();
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "did not wait out the whole --wait");
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("held by first run " + first.holder().run()) && notices.get(0).contains(
                "waiting up to 20 s"), notices.get(0));
    }

    @Test
    void aFailedRunReleasesItsLease() {
        Path file = leaseFile("file");
        assertThrows(IllegalStateException.class, () -> {
            try (OutputLease ignored = acquire(file, "failing", Duration.ZERO)) {
                throw new IllegalStateException("the job failed");
            }
        });
        assertFalse(Files.exists(tmp.resolve("_out.lease")));
    }

    @Test
    void aRunWhoseLeaseWasTakenDoesNotDeleteTheNewHoldersFileOnClose() throws Exception {
        Path file = leaseFile("file");
        OutputLease stale = acquire(file, "stale", Duration.ZERO);
        Instant beat = Instant.now();
        String other = Json.line(new OutputLease.Holder("other", "elsewhere", 7, "cafe0001", beat.toString(),
                beat.toString(), 60_000));
        Files.writeString(tmp.resolve("_out.lease"), other);
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!stale.lost() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertTrue(stale.lost(), "the heartbeat noticed the lease is someone else's");
        stale.close();
        assertEquals(other, Files.readString(tmp.resolve("_out.lease")), "the new holder's file is left alone");
        assertTrue(notices.stream().anyMatch(n -> n.contains("lost to other run cafe0001")), notices.toString());
    }

    /** A real second process: it holds the lease, then is killed (no release) and the lease expires. */
    @Test
    void aKilledProcessesLeaseRefusesOthersUntilItExpiresThenIsTakenOver() throws Exception {
        Path file = leaseFile("file");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LeaseHolderMain.class.getName(), file.toString(), "200", "1500").redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line, "the holder process printed nothing");
            assertEquals("held " + holder.pid(), line);
            OutputLease.HeldException refused = assertThrows(OutputLease.HeldException.class,
                    () -> acquire(file, "second", Duration.ZERO));
            assertTrue(refused.getMessage().contains("holder run") && refused.getMessage().contains("(pid " + holder.pid()
                    + ")"), refused.getMessage());
            Thread.sleep(2000); // past its expiry while it is alive: its heartbeat keeps the lease
            assertThrows(OutputLease.HeldException.class, () -> acquire(file, "second", Duration.ZERO));
            holder.destroyForcibly().waitFor();
            assertTrue(Files.exists(tmp.resolve("_out.lease")), "a killed process leaves its lease behind");
            long t0 = System.nanoTime();
            try (OutputLease lease = acquire(file, "second", Duration.ofSeconds(30))) {
                assertEquals("second", lease.holder().job());
            }
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "taken over after about the expiry");
            assertTrue(notices.stream().anyMatch(n -> n.contains("took over from holder run") && n.contains("(pid "
                    + holder.pid() + ")")), notices.toString());
        } finally {
            holder.destroyForcibly();
        }
    }

    /** The local disk under another scheme, so that the lease goes through the general Hadoop path. */
    public static final class NonLocalFileSystem extends RawLocalFileSystem {
        @Override
        public URI getUri() {
            return URI.create("nonlocal:///");
        }

        @Override
        public String getScheme() {
            return "nonlocal";
        }

        @Override
        public File pathToFile(Path path) {
            return new File(Path.getPathWithoutSchemeAndAuthority(path).toUri().getPath());
        }
    }

    /**
     * The lease file as a contender reads it: a non-local file system rewrites it in place for each
     * heartbeat, so a read can catch it empty and is tried again.
     */
    private static OutputLease.Holder readWhole(java.nio.file.Path file) throws Exception {
        for (int attempt = 0; ; attempt++) {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > 0 || attempt == 20) {
                return Json.parse(bytes, OutputLease.Holder.class, "lease");
            }
            Thread.sleep(20);
        }
    }
}
