package io.atelier.common.io;

import io.atelier.common.testing.ObjectStoreLikeFileSystem;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small files on a store whose rename is a copy: written in place, never deleted first. */
class HadoopFilesObjectStoreTest {
    @TempDir
    java.nio.file.Path tmp;

    @Test
    void replacingAFileOnAStoreThatPublishesOnCloseNeitherRenamesNorDeletesIt() throws IOException {
        Configuration conf = ObjectStoreLikeFileSystem.register(new Configuration());
        Path target = new Path(ObjectStoreLikeFileSystem.uri(tmp.resolve("run/metrics.jsonl")));
        assertTrue(HadoopFiles.publishesOnClose(HadoopFiles.fs(target, conf), target));
        HadoopFiles.writeAtomically(target, "round 1\n".getBytes(StandardCharsets.UTF_8), conf);
        ObjectStoreLikeFileSystem.CALLS.clear();

        HadoopFiles.writeAtomically(target, "round 1\nround 2\n".getBytes(StandardCharsets.UTF_8), conf);

        // A delete then a copy would leave a moment with no file at all (a reader's "no metrics yet").
        assertEquals(List.of(), ObjectStoreLikeFileSystem.CALLS, "no rename and no delete of the target");
        assertEquals("round 1\nround 2\n", Files.readString(tmp.resolve("run/metrics.jsonl")));
        try (var files = Files.list(tmp.resolve("run"))) {
            assertEquals(List.of("metrics.jsonl"), files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(".crc")).sorted().toList(), "no temporary file left beside it");
        }
    }

    @Test
    void sparkOutputOnAnObjectStoreWithoutACloudCommitterIsWarnedOnceNamingTheSettings() {
        Configuration conf = ObjectStoreLikeFileSystem.register(new Configuration());
        String out = ObjectStoreLikeFileSystem.uri(tmp.resolve("stylized"));
        String spark = "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol";
        String warning = HadoopFiles.renameCommitWarning(out, spark, conf).orElseThrow();
        assertTrue(warning.startsWith(out + " is on an object store") && warning.contains("docs/cluster.md"), warning);
        assertEquals(java.util.Optional.empty(), HadoopFiles.renameCommitWarning(out,
                "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol", conf), "the S3A committers are set");
        assertEquals(java.util.Optional.empty(), HadoopFiles.renameCommitWarning(tmp.resolve("local").toString(), spark,
                conf), "a rename on a local disk is atomic");
    }

    @Test
    void aLocalDiskStillWritesBesideAndRenames() throws IOException {
        Configuration conf = new Configuration();
        Path target = new Path(tmp.resolve("config.json").toUri());
        assertFalse(HadoopFiles.publishesOnClose(HadoopFiles.fs(target, conf), target),
                "a local file is visible while it is written");
        HadoopFiles.writeAtomically(target, "{}".getBytes(StandardCharsets.UTF_8), conf);
        HadoopFiles.writeAtomically(target, "{\"a\":1}".getBytes(StandardCharsets.UTF_8), conf);
        assertEquals("{\"a\":1}", Files.readString(tmp.resolve("config.json")));
    }
}
