package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetLayout;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;

/**
 * Looks at each --input on the driver, checks it is readable, and cuts it into work units. In a
 * folder, a {@code .txt} file named like an image is that image's caption, not an input.
 */
final class InputPlanner {
    static final String CLASS_NAMES_FILE = "class-names.txt";
    private static final int IDX_RECORDS_PER_UNIT = 5_000;

    private final IngestOptions options;
    private final Configuration conf;
    private final int parallelism;
    private final int filesPerUnit;
    /** Each listed file's stamp, by its path as units spell it. */
    private final Map<String, String> stamps = new HashMap<>();

    /** Folder files cut into units sized by the file count and parallelism (16 to 256 files each). */
    InputPlanner(IngestOptions options, Configuration conf, int parallelism) {
        this(options, conf, parallelism, 0);
    }

    /** @param filesPerUnit a folder's files per unit, whatever their number; 0: sized as above */
    InputPlanner(IngestOptions options, Configuration conf, int parallelism, int filesPerUnit) {
        this.options = options;
        this.conf = conf;
        this.parallelism = Math.max(1, parallelism);
        this.filesPerUnit = Math.max(0, filesPerUnit);
    }

    InputPlan plan() {
        List<WorkUnit> units = new ArrayList<>();
        List<String> frames = new ArrayList<>();
        List<Map<String, Object>> fingerprints = new ArrayList<>();
        boolean idxOnly = true;
        for (String input : options.inputs()) {
            Path path = new Path(input);
            FileStatus status = statusOf(path, input);
            InputFingerprint fingerprint = new InputFingerprint(input);
            if (status.isDirectory()) {
                FolderListing listing = list(path);
                listing.files().forEach(f -> fingerprint.file(f.relative(), f.size(), f.modified()));
                listing.files().forEach(f -> stamps.put(child(path, f.relative()).toString(),
                        ListedFile.stamp(f.size(), f.modified())));
                listing.skipped().forEach(s -> fingerprint.skipped(s.relative(), s.reason()));
                if (isParquetDirectory(path, listing)) {
                    frames.add(path.toString());
                    idxOnly = false;
                } else {
                    idxOnly &= planDirectory(path, listing, units);
                }
            } else {
                fingerprint.file(status.getPath().getName(), status.getLen(), status.getModificationTime());
                stamps.put(status.getPath().toString(), ListedFile.stamp(status.getLen(), status.getModificationTime()));
                idxOnly &= planFile(status.getPath(), "", path.getParent() == null ? path : path.getParent(), units,
                        new ArrayList<>());
                if (IdxFile.looksLikeIdx(status.getPath().getName())) {
                    Path labels = new Path(IdxFile.labelsPathFor(status.getPath().toString()));
                    for (Path beside : List.of(labels, new Path(status.getPath().getParent(), CLASS_NAMES_FILE))) {
                        fingerprintIfPresent(beside, fingerprint);
                    }
                }
            }
            fingerprints.add(fingerprint.toMap());
        }
        long known = units.stream().mapToLong(WorkUnit::expectedItems).filter(n -> n >= 0).sum();
        return new InputPlan(List.copyOf(units), List.copyOf(frames), known, idxOnly && !units.isEmpty(),
                List.copyOf(fingerprints), listed(units));
    }

    /** The files of each folder-file and archive unit with their stamps, in unit order. */
    private List<ListedFile> listed(List<WorkUnit> units) {
        List<ListedFile> listed = new ArrayList<>();
        for (int u = 0; u < units.size(); u++) {
            if (units.get(u) instanceof FileBatchUnit batch) {
                for (String relative : batch.relativePaths()) {
                    String file = batch.pathOf(relative).toString();
                    String stamp = stamps.get(file);
                    String caption = batch.captions().get(relative);
                    if (stamp != null && caption != null) {
                        String captionStamp = stamps.get(batch.pathOf(caption).toString());
                        stamp = captionStamp == null ? null : stamp + "+" + captionStamp;
                    }
                    if (stamp != null) {
                        listed.add(new ListedFile(file, stamp, u));
                    }
                }
            } else if (units.get(u) instanceof ArchiveUnit archive && stamps.containsKey(archive.path())) {
                listed.add(new ListedFile(archive.path(), stamps.get(archive.path()), u));
            }
        }
        return List.copyOf(listed);
    }

    /** The files an IDX images file is read with (its labels, its class names) are part of what it was. */
    private void fingerprintIfPresent(Path file, InputFingerprint fingerprint) {
        try {
            FileStatus s = file.getFileSystem(conf).getFileStatus(file);
            fingerprint.file(s.getPath().getName(), s.getLen(), s.getModificationTime());
        } catch (java.io.FileNotFoundException e) {
            fingerprint.skipped(file.getName(), "absent");
        } catch (IOException e) {
            throw new InvalidSettingException("{input} " + file + ": cannot be read (" + e.getMessage()
                    + "); check the path and its permissions");
        }
    }

    private FolderListing list(Path dir) {
        try {
            return FolderListing.of(dir, conf);
        } catch (IOException e) {
            throw new InvalidSettingException("{input} " + dir + ": cannot be listed: " + e.getMessage(), e);
        }
    }

    private FileStatus statusOf(Path path, String input) {
        try {
            FileSystem fs = path.getFileSystem(conf);
            FileStatus status = fs.getFileStatus(path);
            if (status.isDirectory()) {
                fs.listStatus(path); // fails now, not in a task, when the directory is unreadable
            }
            return status;
        } catch (java.io.FileNotFoundException e) {
            throw new InvalidSettingException("{input} " + input + ": no such file or directory");
        } catch (IOException e) {
            throw new InvalidSettingException("{input} " + input + ": cannot be read (" + e.getMessage()
                    + "); check the path and its permissions");
        }
    }

    private boolean isParquetDirectory(Path dir, FolderListing listing) {
        if (HadoopFiles.exists(new Path(dir, DatasetLayout.MANIFEST), conf)) {
            return true;
        }
        // Visible files only: all Parquet, or an image folder that happens to hold Parquet too.
        return !listing.files().isEmpty() && listing.files().stream()
                .allMatch(f -> f.relative().toLowerCase(Locale.ROOT).endsWith(".parquet"));
    }

    /** Returns whether everything under the directory was IDX. */
    private boolean planDirectory(Path root, FolderListing listing, List<WorkUnit> units) {
        List<String> relativeFiles = new ArrayList<>();
        boolean idxOnly = true;
        List<String> sorted = listing.files().stream().map(FolderListing.Entry::relative).toList();
        if (!listing.skipped().isEmpty()) {
            units.add(new SkippedUnit(listing.skipped().stream().map(s -> child(root, s.relative()).toString()).toList(),
                    listing.skipped().stream().map(FolderListing.Skipped::reason).toList()));
        }
        List<String> imageFiles = new ArrayList<>();
        for (String relative : sorted) {
            idxOnly &= planFile(child(root, relative), relative, root, units, imageFiles);
        }
        Map<String, String> captions = pairCaptions(imageFiles);
        imageFiles.removeAll(new java.util.HashSet<>(captions.values()));
        relativeFiles.addAll(imageFiles);
        int batch = filesPerUnit > 0 ? filesPerUnit
                : Math.max(16, Math.min(256, relativeFiles.size() / (parallelism * 8) + 1));
        for (int i = 0; i < relativeFiles.size(); i += batch) {
            List<String> files = List.copyOf(relativeFiles.subList(i, Math.min(relativeFiles.size(), i + batch)));
            Map<String, String> theirCaptions = new HashMap<>();
            files.forEach(f -> {
                if (captions.containsKey(f)) {
                    theirCaptions.put(f, captions.get(f));
                }
            });
            units.add(new FileBatchUnit(root.toString(), files, theirCaptions, options.labels(), options.maxFileBytes()));
        }
        return idxOnly && relativeFiles.isEmpty();
    }

    /**
     * Adds the unit(s) for one file; plain image files are collected into {@code imageFiles}
     * (relative to {@code root}) to be batched. Returns whether the file was IDX.
     */
    private boolean planFile(Path file, String relative, Path root, List<WorkUnit> units, List<String> imageFiles) {
        String name = file.getName();
        if (IdxFile.looksLikeIdx(name)) {
            if (name.contains("labels")) {
                return true; // read with its images file
            }
            planIdx(file, units);
            return true;
        }
        if (ArchiveUnit.isArchive(name)) {
            units.add(new ArchiveUnit(file.toString(), options.labels(), options.maxFileBytes()));
            return false;
        }
        if (name.equals(CLASS_NAMES_FILE)) {
            return true; // names for IDX labels, not an image
        }
        if (!relative.isEmpty() && isCompanionDocument(name)) {
            return true; // a data set's licence or readme inside a folder, not a broken image
        }
        if (relative.isEmpty()) {
            units.add(new FileBatchUnit(file.toString(), List.of(""), Map.of(), LabelSource.NONE, options.maxFileBytes()));
        } else {
            imageFiles.add(relative);
        }
        return false;
    }

    /** Image -> its sidecar caption, for every image with one; unpaired caption files stay items (and are quarantined). */
    static Map<String, String> pairCaptions(List<String> files) {
        Map<String, String> byStem = new HashMap<>();
        for (String f : files) {
            if (SidecarCaptions.isCaptionFile(f)) {
                byStem.put(SidecarCaptions.stem(f), f);
            }
        }
        Map<String, String> paired = new HashMap<>();
        for (String f : files) {
            String caption = SidecarCaptions.isCaptionFile(f) ? null : byStem.get(SidecarCaptions.stem(f));
            if (caption != null) {
                paired.put(f, caption);
            }
        }
        return paired;
    }

    private void planIdx(Path imagesPath, List<WorkUnit> units) {
        IdxFile images = IdxFile.readHeader(imagesPath.toString(), conf);
        if (images.magic() != IdxFile.IMAGES_MAGIC) {
            throw new InvalidSettingException("{input} " + imagesPath + " is an IDX labels file; give its images file");
        }
        IdxFile labels = null;
        Path labelsPath = new Path(IdxFile.labelsPathFor(imagesPath.toString()));
        if (options.labels() == LabelSource.FOLDER && !labelsPath.equals(imagesPath) && HadoopFiles.exists(labelsPath, conf)) {
            labels = IdxFile.readHeader(labelsPath.toString(), conf);
            if (labels.count() != images.count()) {
                throw new InvalidSettingException("{input} " + imagesPath + " has " + images.count() + " images but "
                        + labelsPath + " has " + labels.count() + " labels; give a matching pair");
            }
        }
        List<String> names = options.labelNames() != null ? options.labelNames() : classNamesBeside(imagesPath);
        for (int from = 0; from < images.count(); from += IDX_RECORDS_PER_UNIT) {
            units.add(new IdxUnit(images, labels, from, Math.min(images.count(), from + IDX_RECORDS_PER_UNIT), names));
        }
    }

    private List<String> classNamesBeside(Path idxFile) {
        Path names = new Path(idxFile.getParent(), CLASS_NAMES_FILE);
        if (!HadoopFiles.exists(names, conf)) {
            return null;
        }
        String text = new String(HadoopFiles.readAll(names, conf), StandardCharsets.UTF_8);
        return Arrays.stream(text.split("\\R")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** LICENSE, README.md, NOTICE.txt and the like, which data sets ship beside their files. */
    static boolean isCompanionDocument(String name) {
        int dot = name.indexOf('.');
        String stem = (dot < 0 ? name : name.substring(0, dot)).toUpperCase(Locale.ROOT);
        return COMPANION_DOCUMENTS.contains(stem);
    }

    private static final Set<String> COMPANION_DOCUMENTS =
            Set.of("LICENSE", "LICENCE", "README", "NOTICE", "COPYING", "CITATION", "AUTHORS");

    /**
     * {@code root/relative}. A plain {@code new Path(root, relative)} reads a ':' in the first
     * segment ("12:30.png") as a URI scheme and throws; a leading "./" keeps it a file name.
     */
    static Path child(Path root, String relative) {
        return new Path(root, "./" + relative);
    }
}
