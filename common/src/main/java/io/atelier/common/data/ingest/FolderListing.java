package io.atelier.common.data.ingest;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The visible files under a folder input (names starting with "." or "_" and {@code .crc} files are
 * skipped), each with its size and modification time, and the symbolic links that were not followed.
 *
 * <p>Symbolic links (local file system) are followed only inside the input: the tree is listed
 * first without following any link, so every directory whose real path lies inside the input is
 * listed once; then each link is resolved. A link that does not resolve (dangling, or a cycle of
 * links), that leads outside the input's real path, or that names a directory already listed (an
 * ancestor: a loop; or any other: a second copy) is not followed and becomes a skipped entry with
 * its reason, to be quarantined, so {@code in} still counts it. A link to a file inside the input
 * is read (its content is de-duplicated like any other); a link to a directory not yet listed (one
 * under a hidden folder) is listed once.
 */
final class FolderListing {
    /** A file to ingest, relative to the input root ("/"-separated). */
    record Entry(String relative, long size, long modified) {
    }

    /** An entry not followed, relative to the input root, and why. */
    record Skipped(String relative, String reason) {
    }

    private final List<Entry> files;
    private final List<Skipped> skipped;

    private FolderListing(List<Entry> files, List<Skipped> skipped) {
        this.files = files;
        this.skipped = skipped;
    }

    /** Files sorted by relative path. */
    List<Entry> files() {
        return files;
    }

    /** Skipped links sorted by relative path. */
    List<Skipped> skipped() {
        return skipped;
    }

    static FolderListing of(Path root, Configuration conf) throws IOException {
        FileSystem fs = root.getFileSystem(conf);
        Path qualified = fs.makeQualified(root);
        if ("file".equals(qualified.toUri().getScheme())) {
            // The decoded path, not the URI: Hadoop's URI of a name with a newline is not one the JDK accepts.
            return new LocalWalk(java.nio.file.Paths.get(qualified.toUri().getPath())).run();
        }
        return hadoop(fs, qualified);
    }

    static boolean isHiddenName(String name) {
        return name.startsWith(".") || name.startsWith("_") || name.endsWith(".crc");
    }

    /** Other file systems: HDFS and object stores resolve no links here, so a plain listing. */
    private static FolderListing hadoop(FileSystem fs, Path root) throws IOException {
        TreeMap<String, Entry> files = new TreeMap<>();
        List<Map.Entry<Path, String>> pending = new ArrayList<>();
        pending.add(Map.entry(root, ""));
        while (!pending.isEmpty()) {
            Map.Entry<Path, String> dir = pending.remove(pending.size() - 1);
            for (FileStatus s : fs.listStatus(dir.getKey())) {
                String name = s.getPath().getName();
                if (isHiddenName(name)) {
                    continue;
                }
                String relative = dir.getValue().isEmpty() ? name : dir.getValue() + "/" + name;
                if (s.isDirectory()) {
                    pending.add(Map.entry(s.getPath(), relative));
                } else {
                    files.put(relative, new Entry(relative, s.getLen(), s.getModificationTime()));
                }
            }
        }
        return new FolderListing(List.copyOf(files.values()), List.of());
    }

    private static final class LocalWalk {
        private final java.nio.file.Path rootReal;
        private final TreeMap<String, Entry> files = new TreeMap<>();
        private final TreeMap<String, Skipped> skipped = new TreeMap<>();
        /** real directory -> the relative path it was listed under */
        private final Map<java.nio.file.Path, String> listed = new HashMap<>();
        /** links still to resolve, by relative path so the order does not depend on the listing's */
        private final TreeMap<String, java.nio.file.Path> links = new TreeMap<>();

        LocalWalk(java.nio.file.Path root) throws IOException {
            this.rootReal = root.toRealPath();
        }

        FolderListing run() throws IOException {
            walk(rootReal, "");
            while (!links.isEmpty()) {
                Map.Entry<String, java.nio.file.Path> link = links.pollFirstEntry();
                resolve(link.getKey(), link.getValue());
            }
            return new FolderListing(List.copyOf(files.values()), List.copyOf(skipped.values()));
        }

        /** Lists a real directory without following links; links are queued. */
        private void walk(java.nio.file.Path realDir, String relative) throws IOException {
            List<Map.Entry<java.nio.file.Path, String>> pending = new ArrayList<>();
            pending.add(Map.entry(realDir, relative));
            while (!pending.isEmpty()) {
                Map.Entry<java.nio.file.Path, String> dir = pending.remove(pending.size() - 1);
                listed.put(dir.getKey(), dir.getValue());
                List<java.nio.file.Path> children;
                try (var stream = Files.list(dir.getKey())) {
                    children = stream.toList();
                }
                for (java.nio.file.Path child : children) {
                    String name = child.getFileName().toString();
                    if (isHiddenName(name)) {
                        continue;
                    }
                    String rel = dir.getValue().isEmpty() ? name : dir.getValue() + "/" + name;
                    BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isSymbolicLink()) {
                        links.put(rel, child);
                    } else if (a.isDirectory()) {
                        pending.add(Map.entry(child, rel));
                    } else {
                        files.put(rel, new Entry(rel, a.size(), a.lastModifiedTime().toMillis()));
                    }
                }
            }
        }

        private void resolve(String relative, java.nio.file.Path link) throws IOException {
            java.nio.file.Path target;
            try {
                target = link.toRealPath();
            } catch (NoSuchFileException e) {
                skip(relative, "dangling symbolic link (to " + Files.readSymbolicLink(link) + ")");
                return;
            } catch (FileSystemException e) {
                // ELOOP: links that lead back to each other
                skip(relative, "symbolic link loop (" + (e.getReason() == null ? e.getMessage() : e.getReason()) + ")");
                return;
            }
            if (!target.startsWith(rootReal)) {
                skip(relative, "symbolic link leads outside the input folder (to " + target + "); not followed");
                return;
            }
            BasicFileAttributes a = Files.readAttributes(target, BasicFileAttributes.class);
            if (!a.isDirectory()) {
                files.put(relative, new Entry(relative, a.size(), a.lastModifiedTime().toMillis()));
                return;
            }
            String already = listed.get(target);
            if (already == null) {
                walk(target, relative);
            } else if (link.getParent().startsWith(target)) { // the link's folder is real: walks list real folders
                skip(relative, "symbolic link loop: points to its own ancestor folder '" + shown(already) + "'; not followed");
            } else {
                skip(relative, "symbolic link to folder '" + shown(already) + "', already listed; not followed twice");
            }
        }

        private static String shown(String relative) {
            return relative.isEmpty() ? "." : relative;
        }

        private void skip(String relative, String reason) {
            skipped.put(relative, new Skipped(relative, reason));
        }
    }
}
