package io.atelier.common.stylize;

import io.atelier.common.data.ingest.ListedFile;
import io.atelier.common.data.ingest.RawItems;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What the last run learnt about a folder or archive input without opening it again: each item's
 * key (id or quarantine reason) with the stamp (size and modification time, {@link ListedFile})
 * of the file it came from, kept in the output as {@code _listing/} (Parquet rows of file, stamp,
 * origin, path, id, reason, size, and {@code _about.json}: the limits the keys were made under).
 * A re-run takes the keys of the files whose stamp is unchanged from here and decodes only the
 * rest; an archive is one file, its entries known or read together. Replaced by each run (written
 * aside, then renamed into place), so a reader sees a whole listing or none, and none means every
 * item is decoded: the listing saves work, it never decides what is done (the output rows do).
 */
final class ItemListing {
    private static final Logger LOG = LoggerFactory.getLogger(ItemListing.class);
    static final String DIRECTORY = "_listing";
    private static final String ABOUT = "_about.json";

    /** This run's listed files. */
    static final StructType FILES = new StructType()
            .add("file", DataTypes.StringType, false)
            .add("stamp", DataTypes.StringType, false)
            .add("unit", DataTypes.IntegerType, false);

    /** The stored rows. */
    private static final StructType STORED = new StructType()
            .add("file", DataTypes.StringType, false)
            .add("stamp", DataTypes.StringType, false)
            .add("origin", DataTypes.StringType, false)
            .add("path", DataTypes.StringType, false)
            .add("id", DataTypes.StringType, true)
            .add("reason", DataTypes.StringType, true)
            .add("size", DataTypes.LongType, false);

    private ItemListing() {
    }

    /** The listed files as a frame (file, stamp, unit). */
    static Dataset<Row> current(SparkSession spark, RawItems.Listing listing) {
        List<Row> rows = new ArrayList<>(listing.files().size());
        listing.files().forEach(f -> rows.add(RowFactory.create(f.file(), f.stamp(), f.unit())));
        return spark.createDataFrame(rows, FILES);
    }

    /** The file an item's origin came from: an archive entry's archive, else the origin itself. */
    static String fileOf(String origin) {
        int entry = origin.indexOf("!/");
        return entry < 0 ? origin : origin.substring(0, entry);
    }

    /**
     * The last run's listing, or null when there is none, it was made for another {@code --input}
     * (whose items' relative paths differ), under other limits (whose quarantine reasons may
     * differ), or it cannot be read: then every item is decoded again.
     */
    static Dataset<Row> previous(SparkSession spark, Path out, String input, long maxPixels, long maxFileBytes,
                                 Configuration conf) {
        Path dir = new Path(out, DIRECTORY);
        Path about = new Path(dir, ABOUT);
        if (!HadoopFiles.exists(about, conf)) {
            return null;
        }
        try {
            Map<?, ?> was = Json.parse(HadoopFiles.readAll(about, conf), Map.class, about.toString());
            if (!input.equals(was.get("input")) || !limits(maxPixels, maxFileBytes).equals(was.get("limits"))) {
                LOG.info("{}: made for the input {} under {}, so every item is decoded again", dir, was.get("input"),
                        was.get("limits"));
                return null;
            }
            // Its files by name: Spark warns when asked to read a directory named like "_listing".
            FileStatus[] parts = dir.getFileSystem(conf).globStatus(new Path(dir, "part-*"));
            if (parts == null || parts.length == 0) {
                return null;
            }
            String[] files = new String[parts.length];
            for (int i = 0; i < parts.length; i++) {
                files[i] = parts[i].getPath().toString();
            }
            return spark.read().schema(STORED).parquet(files);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: cannot be read ({}), so every item is decoded again", dir, e.toString());
            return null;
        }
    }

    /** Files of this run whose stamp the last run's listing holds, so their items need not be read. */
    static Set<String> unchanged(Dataset<Row> current, Dataset<Row> previous) {
        if (previous == null) {
            return Set.of();
        }
        try {
            Set<String> files = new HashSet<>();
            current.join(previous.select("file", "stamp").distinct(), current.col("file").equalTo(previous.col("file"))
                            .and(current.col("stamp").equalTo(previous.col("stamp"))), "left_semi")
                    .select("file").collectAsList().forEach(r -> files.add(r.getString(0)));
            return files;
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot be read ({}), so every item is decoded again", DIRECTORY, e.toString());
            return Set.of();
        }
    }

    /**
     * Replaces the output's listing with {@code stored} (file, stamp, origin, path, id, reason,
     * size). Items a file system error kept from being read are left out, so they are read again.
     */
    static void write(Dataset<Row> stored, Path out, String input, long maxPixels, long maxFileBytes, long files,
                      Configuration conf) {
        Path target = new Path(out, DIRECTORY);
        try {
            // Asides of runs killed while writing (the lease keeps two runs from writing at once).
            FileStatus[] stale = out.getFileSystem(conf).globStatus(new Path(out, DIRECTORY + "-*"));
            for (FileStatus s : stale == null ? new FileStatus[0] : stale) {
                HadoopFiles.deleteRecursively(s.getPath(), conf);
            }
        } catch (IOException e) {
            LOG.warn("{}: cannot list earlier listings' leftovers: {}", out, e.toString());
        }
        Path aside = new Path(out, DIRECTORY + "-" + UUID.randomUUID());
        stored.where(stored.col("reason").isNull().or(org.apache.spark.sql.functions.not(stored.col("reason").startsWith("unreadable file"))))
                .select("file", "stamp", "origin", "path", "id", "reason", "size")
                .coalesce(1).write().parquet(aside.toString());
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("input", input);
        about.put("limits", limits(maxPixels, maxFileBytes));
        about.put("files", files);
        HadoopFiles.writeAtomically(new Path(aside, ABOUT), Json.pretty(about).getBytes(StandardCharsets.UTF_8), conf);
        if (HadoopFiles.exists(target, conf)) {
            HadoopFiles.deleteRecursively(target, conf);
        }
        HadoopFiles.rename(aside, target, conf);
    }

    private static String limits(long maxPixels, long maxFileBytes) {
        return "maxPixels=" + maxPixels + ",maxFileBytes=" + maxFileBytes;
    }
}
