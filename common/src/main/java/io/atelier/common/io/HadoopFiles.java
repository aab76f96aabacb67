package io.atelier.common.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.io.IOUtils;
import org.apache.hadoop.util.VersionInfo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.UUID;

/** Small file operations on any Hadoop FileSystem, with unchecked errors that name the path. */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    public static FileSystem fs(Path path, Configuration conf) {
        try {
            return path.getFileSystem(conf);
        } catch (UnsupportedFileSystemException e) {
            throw missingFileSystem(path, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Schemes that Hadoop's core-default.xml maps (s3a, abfs, wasb) fail on the missing class instead.
            if (e.getCause() instanceof ClassNotFoundException) {
                throw missingFileSystem(path, e);
            }
            throw e;
        }
    }

    /**
     * Refuses an output that is an input or lies inside one: the run would write into what it reads,
     * and the next run would read its own output as input.
     */
    public static void requireOutside(String outputSetting, String output, String inputSetting, String input, Configuration conf) {
        String out = qualified(output, conf);
        String in = qualified(input, conf);
        boolean same = out.equals(in);
        if (same || out.startsWith(in.endsWith("/") ? in : in + "/")) {
            throw new InvalidSettingException(outputSetting + " " + output + " is " + (same ? "the same directory as" : "inside")
                    + " " + inputSetting + " " + input + ": a run would read its own output; choose an output outside the input");
        }
    }

    private static String qualified(String path, Configuration conf) {
        Path p = new Path(path);
        String s = fs(p, conf).makeQualified(p).toString();
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Bad input, like a misspelt path: the command stops with exit code 2 and this one line. */
    private static IllegalArgumentException missingFileSystem(Path path, Exception e) {
        String scheme = path.toUri().getScheme();
        return new IllegalArgumentException(path + ": no Hadoop file system for scheme '" + scheme
                + "' on the class path; " + missingModule(scheme), e);
    }

    /** Which jar provides a scheme's file system, for the error that says it is missing. */
    static String missingModule(String scheme) {
        String hadoop = VersionInfo.getVersion();
        return switch (scheme == null ? "" : scheme) {
            case "s3a" -> "add hadoop-aws " + hadoop + " (spark-submit --packages org.apache.hadoop:hadoop-aws:" + hadoop + ")";
            case "s3", "s3n" -> "use s3a:// with hadoop-aws " + hadoop + " (spark-submit --packages org.apache.hadoop:hadoop-aws:"
                    + hadoop + ")";
            case "abfs", "abfss", "wasb", "wasbs" -> "add hadoop-azure " + hadoop
                    + " (spark-submit --packages org.apache.hadoop:hadoop-azure:" + hadoop + ")";
            case "gs" -> "add Google's GCS connector (com.google.cloud.bigdataoss:gcs-connector, the shaded jar)";
            default -> "add the jar that provides it, or check the path's spelling";
        };
    }

    public static boolean exists(Path path, Configuration conf) {
        try {
            return fs(path, conf).exists(path);
        } catch (ConnectException e) {
            // Hadoop's message names the host and port but not the path that led there; like a wrong
            // path, a wrong address is the caller's to fix (exit code 2).
            throw new IllegalArgumentException("cannot reach the file system of " + path + " (connection refused): check the"
                    + " host and port in the path, or fs.defaultFS in HADOOP_CONF_DIR for a path without them", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + path + ": " + e.getMessage(), e);
        }
    }

    /** A directory that exists and holds nothing. */
    public static boolean isEmptyDirectory(Path path, Configuration conf) {
        try {
            FileSystem fs = fs(path, conf);
            return fs.getFileStatus(path).isDirectory() && fs.listStatus(path).length == 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every file below {@code dir} (recursively), by plain directory listings. Not
     * {@code FileSystem.listFiles}: its located statuses read each file's permissions, which
     * the local file system does by starting a process per file (seconds per thousand files).
     */
    public static java.util.List<Path> listFilesRecursively(Path dir, Configuration conf) throws IOException {
        FileSystem fs = fs(dir, conf);
        java.util.List<Path> files = new java.util.ArrayList<>();
        java.util.ArrayDeque<Path> pending = new java.util.ArrayDeque<>();
        pending.push(dir);
        while (!pending.isEmpty()) {
            for (FileStatus status : fs.listStatus(pending.pop())) {
                if (status.isDirectory()) {
                    pending.push(status.getPath());
                } else {
                    files.add(status.getPath());
                }
            }
        }
        return files;
    }

    public static byte[] readAll(Path path, Configuration conf, long maxBytes) throws IOException {
        FileSystem fs = fs(path, conf);
        FileStatus status = fs.getFileStatus(path);
        if (status.getLen() > maxBytes) {
            throw new IOException(path + " is " + status.getLen() + " bytes, over the limit of " + maxBytes);
        }
        try (InputStream in = fs.open(path)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) status.getLen());
            IOUtils.copyBytes(in, out, 64 * 1024, false);
            return out.toByteArray();
        }
    }

    public static byte[] readAll(Path path, Configuration conf) {
        try {
            return readAll(path, conf, Integer.MAX_VALUE - 8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes so that readers see the old file or the whole new one: beside the target and renamed
     * over it, or, on an object store, straight to it (see {@link #publishesOnClose}).
     */
    public static void writeAtomically(Path target, byte[] bytes, Configuration conf) {
        FileSystem fs = fs(target, conf);
        if (publishesOnClose(fs, target)) {
            // A rename there is a copy and a delete, and the delete first would leave no file at all for a moment.
            try (FSDataOutputStream out = fs.create(target, true)) {
                out.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
            }
            return;
        }
        Path temp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FSDataOutputStream out = fs.create(temp, false)) {
                out.write(bytes);
            }
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("cannot replace " + target);
            }
            if (!fs.rename(temp, target)) {
                throw new IOException("rename " + temp + " -> " + target + " failed");
            }
        } catch (IOException e) {
            try {
                fs.delete(temp, false);
            } catch (IOException ignored) {
                // the original error is the one worth reporting
            }
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Moves the file {@code from} over {@code target} (same file system) so that a reader finds the
     * old file or the whole new one, never none or part of one: on a store that publishes on close
     * ({@link #publishesOnClose}), copied into place, where the new object replaces the old one when
     * its stream closes (a rename there is a copy and a delete); on a local disk one rename(2); on
     * HDFS a rename with {@link Options.Rename#OVERWRITE}, one step in the NameNode.
     */
    public static void replaceFile(Path from, Path target, Configuration conf) {
        FileSystem fs = fs(target, conf);
        try {
            if (publishesOnClose(fs, target)) {
                try (InputStream in = fs.open(from); FSDataOutputStream out = fs.create(target, true)) {
                    IOUtils.copyBytes(in, out, 64 * 1024, false);
                }
                fs.delete(from, false);
            } else if (fs instanceof LocalFileSystem local) {
                // LocalFileSystem renames a file and then its .crc: in between, the new file would meet
                // the old checksum. So both checksums go first, and the raw rename replaces the file alone.
                FileSystem raw = local.getRawFileSystem();
                raw.delete(local.getChecksumFile(from), false);
                raw.delete(local.getChecksumFile(target), false);
                if (!raw.rename(from, target)) {
                    throw new IOException("rename returned false");
                }
            } else {
                FileContext.getFileContext(target.toUri(), conf).rename(from, target, Options.Rename.OVERWRITE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " over " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether a new file on {@code fs} becomes visible only when its stream closes, whole, and
     * replaces the old one in that instant: object stores (S3A), whose streams upload and publish on
     * close and can be aborted before, say so with {@link CommonPathCapabilities#ABORTABLE_STREAM}.
     */
    public static boolean publishesOnClose(FileSystem fs, Path path) {
        try {
            return fs.hasPathCapability(path, CommonPathCapabilities.ABORTABLE_STREAM);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The warning for Parquet written by Spark onto an object store through its default commit
     * protocol, which publishes by renaming (there a copy per file: slow, and half-visible when a
     * job dies); empty where renames are cheap or a cloud committer is set.
     *
     * @param commitProtocol the session's {@code spark.sql.sources.commitProtocolClass}
     */
    public static java.util.Optional<String> renameCommitWarning(String output, String commitProtocol, Configuration conf) {
        Path path = new Path(output);
        if (!publishesOnClose(fs(path, conf), path) || commitProtocol.endsWith(".PathOutputCommitProtocol")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(output + " is on an object store and Spark commits its Parquet files there by"
                + " renaming (a copy per file, visible half-done if the job dies); set the S3A committer settings"
                + " (docs/cluster.md, Object stores)");
    }

    public static void deleteRecursively(Path path, Configuration conf) {
        try {
            fs(path, conf).delete(path, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path + ": " + e.getMessage(), e);
        }
    }

    public static void rename(Path from, Path to, Configuration conf) {
        try {
            if (!fs(from, conf).rename(from, to)) {
                throw new IOException("rename returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }
}
