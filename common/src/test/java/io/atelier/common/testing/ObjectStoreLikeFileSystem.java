package io.atelier.common.testing;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local folder that behaves as S3A does where it matters to publishing, under the scheme
 * {@code objstore:}: renaming a directory copies its files one by one in key order and deletes
 * the source last (so a reader can see a half-moved directory), and its streams claim to publish
 * on close ({@link CommonPathCapabilities#ABORTABLE_STREAM}). Every rename and delete is recorded,
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
    public boolean rename(Path src, Path dst) throws IOException {
        CALLS.add("rename " + makeQualified(src) + " " + makeQualified(dst));
        if (!getFileStatus(src).isDirectory() || exists(dst)) {
            return super.rename(src, dst);
        }
        List<Path> files = new ArrayList<>();
        collect(src, files);
        files.sort(null); // S3 lists keys in order
        String prefix = makeQualified(src).toUri().getPath();
        for (Path f : files) {
            String relative = f.toUri().getPath().substring(prefix.length() + 1);
            FileUtil.copy(this, f, this, new Path(dst, relative), false, getConf());
            probe.accept(dst);
        }
        return super.delete(src, true);
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
        return super.delete(p, recursive);
    }
}
