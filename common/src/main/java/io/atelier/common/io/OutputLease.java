package io.atelier.common.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.ShutdownHookManager;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One run at a time per output: a small JSON file {@code _NAME.lease} beside the output {@code NAME}
 * (in its parent directory), naming its holder (job, host, pid, run id, since when) and carrying a
 * heartbeat that a daemon thread renews every few seconds. It lies beside the output, not in it,
 * because several jobs publish their output by renaming a finished staging directory onto it, or
 * refuse an output that already holds anything.
 *
 * <p>Taken by an atomic create-if-absent: {@code O_EXCL} on a local disk (Hadoop's local
 * {@code create(path, false)} checks first and then truncates, so it is not used there), the
 * NameNode's {@code create(path, false)} on HDFS. On object stores (S3A) that create checks for the
 * object and then writes it, so two runs starting within the same moment can both take it; the
 * read-back after writing narrows that window but cannot close it.
 *
 * <p>A lease whose heartbeat is older than its expiry belongs to a run that died without releasing
 * it, and the next run takes it over. Expiry is judged by the holder's clock against the
 * contender's, so the hosts' clocks must agree to well within the expiry (NTP does).
 */
public final class OutputLease implements AutoCloseable {
    /** How often the holder renews its heartbeat, and how old a heartbeat may get before the lease is free. */
    public record Timing(Duration heartbeat, Duration expiry, Duration poll) {
        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(2));

        public Timing {
            if (heartbeat.isNegative() || heartbeat.isZero() || expiry.compareTo(heartbeat.multipliedBy(3)) < 0) {
                throw new IllegalArgumentException("a lease's expiry (" + expiry + ") must be at least three heartbeats ("
                        + heartbeat + ")");
            }
        }
    }

    /** What the lease file says: who holds the output, since when, and when it last said it was alive. */
    public record Holder(String job, String host, long pid, String run, String since, String heartbeat,
                         long expiryMillis) {
        Instant lastHeartbeat() {
            return Instant.parse(heartbeat);
        }

        boolean expiredAt(Instant now) {
            return lastHeartbeat().plusMillis(expiryMillis).isBefore(now);
        }

        Holder beating(Instant now) {
            return new Holder(job, host, pid, run, since, now.truncatedTo(ChronoUnit.MILLIS).toString(), expiryMillis);
        }

        /** "stylize run 1a2b3c4d on host h (pid 42) since 2026-12-07T04:30:00Z". */
        public String describe() {
            return job + " run " + run + " on host " + host + " (pid " + pid + ") since " + since;
        }
    }

    /** Another live run holds the lease; the message is one line naming it and what to do. */
    public static final class HeldException extends RuntimeException {
        private final transient Holder holder;

        HeldException(String message, Holder holder) {
            super(message);
            this.holder = holder;
        }

        public Holder holder() {
            return holder;
        }

        /** The same refusal with a further way out appended, such as the command's flag to wait. */
        public HeldException withAdvice(String advice) {
            return new HeldException(getMessage() + advice, holder);
        }
    }

    private static final String SUFFIX = ".lease";
    /** Runs before Hadoop closes its FileSystems at exit (priority 10), so the lease can still be deleted. */
    private static final int SHUTDOWN_PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 20;

    private final Store store;
    private final Path path;
    private final Timing timing;
    private final Consumer<String> notices;
    private final ScheduledExecutorService heartbeat;
    private final Runnable shutdownHook;
    private volatile Holder holder;
    private volatile boolean lost;
    private boolean closed;

    private OutputLease(Store store, Path path, Holder holder, Timing timing, Consumer<String> notices) {
        this.store = store;
        this.path = path;
        this.holder = holder;
        this.timing = timing;
        this.notices = notices;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease heartbeat " + path.getName());
            t.setDaemon(true);
            return t;
        });
        long every = timing.heartbeat().toMillis();
        heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
        this.shutdownHook = this::close;
        ShutdownHookManager.get().addShutdownHook(shutdownHook, SHUTDOWN_PRIORITY);
    }

    /** The lease file of {@code output}: {@code _NAME.lease} in its parent directory. */
    public static Path pathFor(Path output, Configuration conf) {
        Path qualified = HadoopFiles.fs(output, conf).makeQualified(output);
        if (qualified.getParent() == null) {
            throw new IllegalArgumentException("output " + output + " is a file system's root; name a directory below it");
        }
        return new Path(qualified.getParent(), "_" + qualified.getName() + SUFFIX);
    }

    /**
     * Takes the lease of {@code output} for {@code job}, waiting up to {@code wait} while another live run
     * holds it, with the default timing.
     *
     * @param notices one line when this run waits, or takes over an expired lease, or loses its lease
     * @throws HeldException when another live run still holds it after {@code wait}
     */
    public static OutputLease acquire(String output, String job, Duration wait, Configuration conf,
                                      Consumer<String> notices) {
        return acquire(output, pathFor(new Path(output), conf), job, wait, Timing.DEFAULT, conf, notices);
    }

    /**
     * As {@link #acquire(String, String, Duration, Configuration, Consumer)}, with a lease file and timing of
     * one's own; {@code output} only names the output in messages.
     */
    public static OutputLease acquire(String output, Path leaseFile, String job, Duration wait, Timing timing,
                                      Configuration conf, Consumer<String> notices) {
        Store store = Store.of(leaseFile, conf);
        Instant now = Instant.now();
        Holder mine = new Holder(job, hostName(), ProcessHandle.current().pid(),
                UUID.randomUUID().toString().substring(0, 8), now.truncatedTo(ChronoUnit.SECONDS).toString(),
                now.truncatedTo(ChronoUnit.MILLIS).toString(), timing.expiry().toMillis());
        long deadline = System.nanoTime() + wait.toNanos();
        boolean toldWaiting = false;
        String tookOver = null;
        try {
            while (true) {
                Holder written = mine.beating(Instant.now());
                if (store.createNew(encode(written)) && isMine(store, written)) {
                    if (tookOver != null) {
                        notices.accept("lease " + leaseFile + ": took over from " + tookOver);
                    }
                    return new OutputLease(store, leaseFile, written, timing, notices);
                }
                Holder other = read(store, timing);
                if (other == null) {
                    continue; // released between our create and our read: try again at once
                }
                if (other.expiredAt(Instant.now())) {
                    if (takeOver(store, other, timing)) {
                        tookOver = other.describe() + ", whose last heartbeat was " + ago(other.lastHeartbeat())
                                + " ago (a lease expires " + seconds(other.expiryMillis())
                                + " after its last heartbeat, so that run has died)";
                    }
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new HeldException(output + " is in use by "
                            + other.describe() + " (last heartbeat " + ago(other.lastHeartbeat()) + " ago); run again"
                            + " once it has finished (if it died, its lease " + leaseFile + " expires "
                            + seconds(other.expiryMillis()) + " after that heartbeat)", other);
                }
                if (!toldWaiting) {
                    notices.accept("lease " + leaseFile + ": held by " + other.describe() + "; waiting up to "
                            + wait.toSeconds() + " s");
                    toldWaiting = true;
                }
                Thread.sleep(Math.max(1, Math.min(timing.poll().toMillis(), TimeUnit.NANOSECONDS.toMillis(left) + 1)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the lease " + leaseFile + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the lease " + leaseFile, e);
        }
    }

    public Path path() {
        return path;
    }

    public Holder holder() {
        return holder;
    }

    /** True once a heartbeat found the lease file gone or someone else's (this run then ran unprotected). */
    public boolean lost() {
        return lost;
    }

    /** Stops the heartbeat and deletes the lease file if it is still this run's. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true; // a heartbeat waiting for the lock now sees it and returns
        }
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!ShutdownHookManager.get().isShutdownInProgress()) {
            ShutdownHookManager.get().removeShutdownHook(shutdownHook);
        }
        try {
            if (!lost && isMine(store, holder)) {
                store.delete();
            }
        } catch (IOException e) {
            notices.accept("lease " + path + ": could not be released (" + e.getMessage() + "); it expires "
                    + seconds(timing.expiry().toMillis()) + " after its last heartbeat");
        }
    }

    /** Renews the heartbeat if the file is still ours; says once if it is not. */
    private synchronized void beat() {
        if (closed || lost) {
            return;
        }
        try {
            if (!isMine(store, holder)) {
                lost = true;
                Holder now = read(store, timing);
                notices.accept("lease " + path + ": lost" + (now == null ? " (the file was deleted)" : " to " + now.describe())
                        + "; this run is no longer protected against a concurrent one");
                return;
            }
            Holder next = holder.beating(Instant.now());
            store.replace(encode(next));
            holder = next;
        } catch (IOException | RuntimeException e) {
            // One missed heartbeat is harmless (the expiry is several heartbeats); the next one retries.
            notices.accept("lease " + path + ": heartbeat failed (" + e.getMessage() + "); retrying");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        }
    }

    private static boolean isMine(Store store, Holder mine) throws IOException {
        byte[] bytes = store.read();
        Holder h = bytes == null ? null : decode(bytes);
        return h != null && mine.run().equals(h.run()) && mine.pid() == h.pid() && mine.host().equals(h.host());
    }

    /**
     * Removes an expired lease after reading it once more (a run that took it over meanwhile has written a
     * fresh heartbeat, which is then left alone); whoever creates the file next holds the lease.
     */
    private static boolean takeOver(Store store, Holder expired, Timing timing) throws IOException, InterruptedException {
        Holder again = read(store, timing);
        if (again == null || !again.equals(expired)) {
            return false;
        }
        store.delete();
        return true;
    }

    /**
     * The holder, or null when there is no lease file. A file caught mid-rewrite is read again; one that
     * stays unreadable (a holder killed while writing it) counts as a holder whose heartbeat is the file's
     * modification time, so it expires like any other.
     */
    private static Holder read(Store store, Timing timing) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            byte[] bytes = store.read();
            if (bytes == null) {
                return null;
            }
            Holder h = decode(bytes);
            if (h != null) {
                return h;
            }
            if (attempt == 4) {
                Instant modified = store.modified();
                if (modified == null) {
                    return null;
                }
                return new Holder("unknown", "unknown", -1, "(unreadable lease file)", modified.toString(),
                        modified.toString(), timing.expiry().toMillis());
            }
            Thread.sleep(50);
        }
    }

    private static byte[] encode(Holder h) {
        return Json.line(h).getBytes(StandardCharsets.UTF_8);
    }

    private static Holder decode(byte[] bytes) {
        try {
            Holder h = Json.MAPPER.readValue(bytes, Holder.class);
            return h.run() == null || h.heartbeat() == null || h.host() == null ? null : validTimes(h);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Holder validTimes(Holder h) {
        h.lastHeartbeat(); // throws on a torn timestamp, which decode treats as unreadable
        return h;
    }

    private static String ago(Instant then) {
        return Math.max(0, Duration.between(then, Instant.now()).toSeconds()) + " s";
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown" : env;
        }
    }

    /** The four operations a lease needs, done atomically where the file system can. */
    private interface Store {
        /** Creates the file if absent, atomically where the file system allows; false if it exists. */
        boolean createNew(byte[] bytes) throws IOException;

        /** Replaces the content so that a reader sees the old or the new content (or, on HDFS, briefly none). */
        void replace(byte[] bytes) throws IOException;

        /** The content, or null if there is no file. */
        byte[] read() throws IOException;

        Instant modified() throws IOException;

        void delete() throws IOException;

        static Store of(Path path, Configuration conf) {
            FileSystem fs = HadoopFiles.fs(path, conf);
            boolean onDisk = "file".equals(fs.getUri().getScheme());
            if (onDisk && (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem)) {
                RawLocalFileSystem raw = fs instanceof LocalFileSystem local ? (RawLocalFileSystem) local.getRaw()
                        : (RawLocalFileSystem) fs;
                return new LocalStore(raw.pathToFile(path).toPath());
            }
            return new HadoopStore(fs, path);
        }
    }

    /** java.nio on a local disk: O_EXCL create and an atomic rename over the old file. */
    private record LocalStore(java.nio.file.Path file) implements Store {
        @Override
        public boolean createNew(byte[] bytes) throws IOException {
            try {
                Files.createDirectories(file.getParent());
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new java.nio.file.FileSystemException(e.getFile(), null, "a file, not a directory, is in the way");
            }
            try {
                Files.write(file, bytes, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }

        @Override
        public void replace(byte[] bytes) throws IOException {
            java.nio.file.Path temp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.write(temp, bytes);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        }

        @Override
        public byte[] read() throws IOException {
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        @Override
        public Instant modified() throws IOException {
            try {
                return Files.getLastModifiedTime(file).toInstant();
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        @Override
        public void delete() throws IOException {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Any other Hadoop file system. HDFS: create without overwrite is atomic at the NameNode, and create
     * with overwrite replaces the file in one NameNode operation. S3A: both check and then write (not
     * atomic; see the class comment), but an object's new content appears whole when it is written.
     */
    private record HadoopStore(FileSystem fs, Path path) implements Store {
        @Override
        public boolean createNew(byte[] bytes) throws IOException {
            fs.mkdirs(path.getParent());
            try (FSDataOutputStream out = fs.create(path, false)) {
                out.write(bytes);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (IOException e) {
                if (fs.exists(path)) {
                    return false; // some file systems report an existing file with a plain IOException
                }
                throw e;
            }
        }

        @Override
        public void replace(byte[] bytes) throws IOException {
            try (FSDataOutputStream out = fs.create(path, true)) {
                out.write(bytes);
            }
        }

        @Override
        public byte[] read() throws IOException {
            try (java.io.InputStream in = fs.open(path)) {
                return in.readNBytes(64 * 1024);
            } catch (FileNotFoundException e) {
                return null;
            }
        }

        @Override
        public Instant modified() throws IOException {
            try {
                return Instant.ofEpochMilli(fs.getFileStatus(path).getModificationTime());
            } catch (FileNotFoundException e) {
                return null;
            }
        }

        @Override
        public void delete() throws IOException {
            fs.delete(path, false);
        }
    }
}
