package io.atelier.common.catalog;

import io.atelier.common.testing.LocalSpark;
import io.atelier.common.testing.ObjectStoreLikeFileSystem;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run replaces the previous run's quarantine table so that a reader finds one whole table or the
 * other, never none and never part of one: checked after every change the write makes on a store
 * that behaves as S3A does, and by a reader running beside repeated replacements on a local disk.
 */
class QuarantineTest {
    /** What a reader finds: the rows of the one table file, -1 for no table, -2 for more than one file. */
    static final long NO_TABLE = -1;
    static final long SEVERAL_FILES = -2;

    @TempDir
    java.nio.file.Path tmp;

    @AfterEach
    void forgetHooks() {
        ObjectStoreLikeFileSystem.afterChange = () -> { };
    }

    static Dataset<Row> rejections(String prefix, int n) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(prefix + i + ".png", "cannot decode", 100L + i));
        }
        return LocalSpark.get().createDataFrame(rows, new StructType().add("origin", DataTypes.StringType)
                .add("reason", DataTypes.StringType).add("size", DataTypes.LongType));
    }

    static void write(String out, Dataset<Row> rejected, Configuration conf) {
        Quarantine.write(new Path(out), rejected, rejected.count(), conf);
    }

    /**
     * The rows a reader finds in {@code table} (a local folder): the data files Spark would read,
     * each read in one go from a single open, so the file cannot change under the reader.
     */
    static long observe(java.nio.file.Path table) {
        List<java.nio.file.Path> data;
        try (Stream<java.nio.file.Path> files = Files.list(table)) {
            data = files.filter(f -> !f.getFileName().toString().startsWith("_")
                    && !f.getFileName().toString().startsWith(".")).toList();
        } catch (NoSuchFileException e) {
            return NO_TABLE;
        } catch (IOException e) {
            throw new AssertionError("cannot list " + table, e);
        }
        if (data.size() != 1) {
            return data.isEmpty() ? NO_TABLE : SEVERAL_FILES;
        }
        try {
            return rows(Files.readAllBytes(data.get(0)));
        } catch (NoSuchFileException e) {
            return NO_TABLE;
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("a reader found a table it cannot read: " + data.get(0) + ": " + e, e);
        }
    }

    /** Rows in a Parquet file held in memory (a truncated one fails to open). */
    static long rows(byte[] bytes) throws IOException {
        InputFile file = new InputFile() {
            @Override
            public long getLength() {
                return bytes.length;
            }

            @Override
            public SeekableInputStream newStream() {
                Bytes in = new Bytes(bytes);
                return new DelegatingSeekableInputStream(in) {
                    @Override
                    public long getPos() {
                        return in.position();
                    }

                    @Override
                    public void seek(long n) {
                        in.seek(n);
                    }
                };
            }
        };
        try (ParquetFileReader reader = ParquetFileReader.open(file)) {
            return reader.getRecordCount();
        }
    }

    private static final class Bytes extends ByteArrayInputStream {
        Bytes(byte[] b) {
            super(b);
        }

        long position() {
            return pos;
        }

        void seek(long n) {
            pos = (int) n;
        }
    }

    @Test
    void onAStoreWhoseRenameCopiesEveryStepOfAReplacementLeavesOneWholeTable() {
        SparkSession spark = LocalSpark.get();
        Configuration conf = ObjectStoreLikeFileSystem.register(spark.sparkContext().hadoopConfiguration());
        java.nio.file.Path outDir = tmp.resolve("stylized");
        String out = ObjectStoreLikeFileSystem.uri(outDir);
        java.nio.file.Path table = outDir.resolve(Quarantine.DIRECTORY);
        write(out, rejections("a", 3), conf);
        assertEquals(3, observe(table), "the first table");

        List<Long> seen = new CopyOnWriteArrayList<>();
        ObjectStoreLikeFileSystem.afterChange = () -> seen.add(observe(table));
        ObjectStoreLikeFileSystem.CALLS.clear();
        write(out, rejections("b", 5), conf);
        ObjectStoreLikeFileSystem.afterChange = () -> { };

        assertFalse(seen.isEmpty(), "the reader looked after each change");
        assertEquals(Set.of(3L, 5L), Set.copyOf(seen), "a reader saw the old table or the whole new one, in order: " + seen);
        assertEquals(5L, seen.get(seen.size() - 1), "the new table at the end: " + seen);
        String tablePath = new Path(out, Quarantine.DIRECTORY).toUri().getPath();
        assertTrue(ObjectStoreLikeFileSystem.CALLS.stream().noneMatch(c -> c.contains(tablePath + "/") || c.endsWith(tablePath)),
                "the table is neither deleted nor renamed into: " + ObjectStoreLikeFileSystem.CALLS);
        assertEquals(List.of("b0.png", "b1.png", "b2.png", "b3.png", "b4.png"),
                spark.read().parquet(table.toString()).select("origin").as(Encoders.STRING()).collectAsList());
        assertEquals(List.of(Quarantine.DIRECTORY), listNames(outDir), "nothing left aside");
    }

    @Test
    void onALocalDiskAReaderBesideRepeatedReplacementsAlwaysFindsOneWholeTable() throws Exception {
        SparkSession spark = LocalSpark.get();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        java.nio.file.Path outDir = tmp.resolve("embedded");
        String out = outDir.toUri().toString();
        java.nio.file.Path table = outDir.resolve(Quarantine.DIRECTORY);
        write(out, rejections("a", 3), conf);

        List<Long> seen = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    seen.add(observe(table));
                    Thread.sleep(2); // a pause, so that the reader does not take a shared core from the writer
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable t) {
                    failures.add(t);
                    return;
                }
            }
        }, "quarantine-reader");
        reader.start();
        try {
            for (int i = 0; i < 4; i++) {
                write(out, i % 2 == 0 ? rejections("b", 5) : rejections("a", 3), conf);
            }
        } finally {
            reader.interrupt();
            reader.join(10_000);
        }
        assertEquals(List.of(), failures, "the reader's errors");
        assertTrue(seen.size() > 10, "the reader read while the table was replaced: " + seen.size() + " reads");
        assertEquals(Set.of(3L, 5L), Set.copyOf(seen), "every read found the 3-row or the 5-row table");
        assertEquals(3, spark.read().parquet(table.toString()).count(), "the last table");
        assertEquals(List.of(Quarantine.DIRECTORY), listNames(outDir), "nothing left aside");
    }

    @Test
    void aRunWithNoRejectionsRemovesTheTableAndATableOfSparksPartFilesBecomesOneFile() throws IOException {
        SparkSession spark = LocalSpark.get();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        java.nio.file.Path outDir = tmp.resolve("out");
        String out = outDir.toUri().toString();
        // A table as earlier versions wrote it: Spark's part files under their own names.
        rejections("old", 4).repartition(2).write().parquet(outDir.resolve(Quarantine.DIRECTORY).toString());

        write(out, rejections("new", 2), conf);
        assertEquals(List.of(Quarantine.FILE), listNames(outDir.resolve(Quarantine.DIRECTORY)).stream()
                .filter(n -> !n.startsWith(".")).toList(), "one file, Spark's old parts gone");
        List<Row> rows = spark.read().parquet(outDir.resolve(Quarantine.DIRECTORY).toString()).collectAsList();
        assertEquals(List.of("[new0.png,cannot decode,100]", "[new1.png,cannot decode,101]"),
                rows.stream().map(Row::toString).toList(), "origin, reason, size by origin");

        Quarantine.write(new org.apache.hadoop.fs.Path(out), rejections("none", 0), 0, conf);
        assertFalse(Files.exists(outDir.resolve(Quarantine.DIRECTORY)), "no rejections, no table");
    }

    static List<String> listNames(java.nio.file.Path dir) {
        try (Stream<java.nio.file.Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
