package io.atelier.common.data.ingest;

import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A zip, tar or tar.gz archive of images, streamed entry by entry (never unpacked to disk).
 * Inside the archive the image-folder layout applies: the first folder is the label.
 */
record ArchiveUnit(String path, LabelSource labels, long maxEntryBytes) implements WorkUnit {

    static boolean isArchive(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".zip") || n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz");
    }

    @Override
    public long expectedItems() {
        return -1;
    }

    @Override
    public void read(Configuration conf, Consumer<SourceItem> sink) {
        Path archive = new Path(path);
        long entries = 0;
        try (InputStream raw = new BufferedInputStream(archive.getFileSystem(conf).open(archive));
             ArchiveInputStream<? extends ArchiveEntry> in = open(raw)) {
            ArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                if (entry.isDirectory() || isHidden(entry.getName())) {
                    continue;
                }
                entries++;
                String name = entry.getName().replace('\\', '/');
                String origin = path + "!/" + name;
                byte[] bytes = readEntry(in, maxEntryBytes);
                if (bytes == null) {
                    sink.accept(SourceItem.unreadable(origin, entry.getSize(),
                            "archive entry larger than the " + maxEntryBytes + "-byte limit"));
                } else {
                    sink.accept(SourceItem.encoded(origin, bytes, labels.labelOf(stripLeadingSlash(name))));
                }
            }
            if (entries == 0) {
                sink.accept(SourceItem.unreadable(path, -1, "archive holds no files (empty or not a valid archive)"));
            }
        } catch (IOException | RuntimeException e) {
            // The entries already yielded stand; the rest of a damaged archive is one quarantine row.
            String what = e.getMessage() != null ? e.getMessage()
                    : e instanceof java.io.EOFException ? "unexpected end of file" : e.getClass().getSimpleName();
            sink.accept(SourceItem.unreadable(path + (entries > 0 ? "!/<after entry " + entries + ">" : ""), -1,
                    "damaged archive: " + what));
        }
    }

    private ArchiveInputStream<? extends ArchiveEntry> open(InputStream raw) throws IOException {
        String n = path.toLowerCase(Locale.ROOT);
        if (n.endsWith(".zip")) {
            return new ZipArchiveInputStream(raw);
        }
        InputStream body = n.endsWith(".tar") ? raw : new GzipCompressorInputStream(raw);
        return new TarArchiveInputStream(body);
    }

    private static byte[] readEntry(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > limit) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static boolean isHidden(String name) {
        String base = name.substring(name.lastIndexOf('/') + 1);
        return base.startsWith(".") || name.startsWith("__MACOSX/");
    }

    private static String stripLeadingSlash(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
