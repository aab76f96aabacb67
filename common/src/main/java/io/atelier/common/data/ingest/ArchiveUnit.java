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
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A zip, tar or tar.gz archive of images, streamed entry by entry (never unpacked to disk).
 * Inside the archive the image-folder layout applies: the first folder is the label, and
 * {@code x.txt} beside {@code x.png} is its caption.
 */
record ArchiveUnit(String path, LabelSource labels, long maxEntryBytes) implements WorkUnit {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ArchiveUnit.class);

    static boolean isArchive(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".zip") || n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz");
    }

    @Override
    public long expectedItems() {
        return -1;
    }

    /**
     * Reads the archive twice: first its caption files (small), then its images with their
     * captions, since an archive may list a caption before or after its image.
     */
    @Override
    public void read(Configuration conf, Consumer<SourceItem> sink) {
        Path archive = new Path(path);
        Map<String, String> captionNames = new HashMap<>();
        Map<String, byte[]> captions = readCaptions(conf, captionNames);
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
                if (captions.containsKey(SidecarCaptions.stem(name)) && SidecarCaptions.isCaptionFile(name)) {
                    continue; // read in the first pass; an unpaired one is reported below
                }
                byte[] bytes = readEntry(in, maxEntryBytes);
                if (bytes == null) {
                    sink.accept(SourceItem.unreadable(origin, entry.getSize(),
                            "archive entry larger than the " + maxEntryBytes + "-byte limit"));
                } else {
                    String stem = SidecarCaptions.stem(name);
                    byte[] text = captions.get(stem);
                    SidecarCaptions.Caption caption = text == null ? null
                            : SidecarCaptions.read(path + "!/" + captionNames.get(stem), text);
                    if (text != null) {
                        captionNames.put(stem, null); // paired
                    }
                    sink.accept(SourceItem.captioned(origin, bytes, labels.labelOf(stripLeadingSlash(name)), caption));
                }
            }
            captionNames.forEach((stem, name) -> {
                if (name != null) {
                    sink.accept(SourceItem.unreadable(path + "!/" + name, captions.get(stem).length, SidecarCaptions.ORPHAN));
                }
            });
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

    /**
     * Caption files by stem (their names into {@code names}); a damaged archive yields those
     * read before the damage, which the second pass then reports.
     */
    private Map<String, byte[]> readCaptions(Configuration conf, Map<String, String> names) {
        Map<String, byte[]> captions = new HashMap<>();
        Path archive = new Path(path);
        try (InputStream raw = new BufferedInputStream(archive.getFileSystem(conf).open(archive));
             ArchiveInputStream<? extends ArchiveEntry> in = open(raw)) {
            ArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                String name = entry.getName().replace('\\', '/');
                if (!entry.isDirectory() && !isHidden(name) && SidecarCaptions.isCaptionFile(name)) {
                    byte[] bytes = readEntry(in, maxEntryBytes);
                    if (bytes != null) {
                        captions.put(SidecarCaptions.stem(name), bytes);
                        names.put(SidecarCaptions.stem(name), name);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("caption pass over {} stopped: {}", path, e.toString()); // the image pass reports the damage
        }
        return captions;
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
