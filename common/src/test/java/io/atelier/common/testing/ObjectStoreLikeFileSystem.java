package io.atelier.common.testing;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local folder that behaves as S3A does where it matters to publishing, under the scheme
 * {@code objstore:}: renaming a directory copies its files one by one in key order and deletes
 * the source last (so a reader can see a half-moved directory), and its streams publish on close,
 * as they say ({@link CommonPathCapabilities#ABORTABLE_STREAM}): a file being written is a hidden
 * upload beside it until the stream closes, and then replaces the file in one step. Every rename and delete is recorded,
 * and after each file copied the {@link #probe} runs, so a test can check what a reader would
 * have seen at that moment.
 */
public final class ObjectStoreLikeFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "objstore";
    private static final URI ROOT = URI.create(SCHEME + ":///");

    /** "rename SRC DST" and "delete PATH" lines, in order. */
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();
    /** Runs after each file a directory rename has copied; arguments: the destination directory. */
    public static volatile java.util.function.Consumer<Path> probe = dst -> { };
    /** Runs after every change a reader could see: an upload published, a delete, a rename, each file a rename copied. */
    public static volatile Runnable afterChange = () -> { };

    /** A configuration where {@code objstore:} paths resolve to this file system (not cached). */
    public static Configuration register(Configuration conf) {
        conf.set("fs." + SCHEME + ".impl", ObjectStoreLikeFileSystem.class.getName());
        conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
        return conf;
    }

    /** {@code objstore:} path of a local folder. */
    public static String uri(java.nio.file.Path local) {
        return SCHEME + "://" + local.toAbsolutePath();
    }

    @Override
    public URI getUri() {
        return ROOT;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public void initialize(URI name, Configuration conf) throws IOException {
        super.initialize(ROOT, conf);
    }

    @Override
    public boolean hasPathCapability(Path path, String capability) throws IOException {
        return CommonPathCapabilities.ABORTABLE_STREAM.equals(capability) || super.hasPathCapability(path, capability);
    }

    @Override
    public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
                                     Progressable progress) throws IOException {
        return uploading(f, overwrite, upload -> super.create(upload, false, bufferSize, replication, blockSize, progress));
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        return uploading(f, overwrite,
                upload -> super.create(upload, permission, false, bufferSize, replication, blockSize, progress));
    }

    private interface Opener {
        FSDataOutputStream open(Path upload) throws IOException;
    }

    /** A stream into a hidden upload beside {@code f} that becomes {@code f} when it closes. */
    private FSDataOutputStream uploading(Path f, boolean overwrite, Opener opener) throws IOException {
        if (!overwrite && exists(f)) {
            throw new FileAlreadyExistsException(f + " exists");
        }
        Path upload = new Path(f.getParent(), "." + f.getName() + "." + UUID.randomUUID() + ".upload");
        FSDataOutputStream out = opener.open(upload);
        return new FSDataOutputStream(new FilterOutputStream(out) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    super.close();
                    publish(upload, f);
                }
            }
        }, null);
    }

    /** An upload's completion: the object appears whole, replacing the old one (one rename(2), not recorded). */
    private void publish(Path upload, Path target) throws IOException {
        if (!super.rename(upload, target)) {
            throw new IOException("could not publish " + upload + " as " + target);
        }
        afterChange.run();
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        CALLS.add("rename " + makeQualified(src) + " " + makeQualified(dst));
        if (!getFileStatus(src).isDirectory() || exists(dst)) {
            boolean renamed = super.rename(src, dst);
            afterChange.run();
            return renamed;
        }
        List<Path> files = new ArrayList<>();
        collect(src, files);
        files.sort(null); // S3 lists keys in order
        String prefix = makeQualified(src).toUri().getPath();
        for (Path f : files) {
            String relative = f.toUri().getPath().substring(prefix.length() + 1);
            FileUtil.copy(this, f, this, new Path(dst, relative), false, getConf());
            probe.accept(dst);
            afterChange.run();
        }
        boolean removed = super.delete(src, true);
        afterChange.run();
        return removed;
    }

    private void collect(Path dir, List<Path> files) throws IOException {
        for (FileStatus s : listStatus(dir)) {
            if (s.isDirectory()) {
                collect(s.getPath(), files);
            } else {
                files.add(makeQualified(s.getPath()));
            }
        }
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        CALLS.add("delete " + makeQualified(p));
        boolean removed = super.delete(p, recursive);
        afterChange.run();
        return removed;
    }
}
