package io.atelier.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A storage path that cannot be used stops the command with one line naming the path and the fix. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class StoragePathErrorsTest {
    @TempDir
    Path tmp;

    private static List<String> errorLines(AtelierCliTest.Result r) {
        return r.err().lines().filter(l -> l.startsWith("atelier ")).toList();
    }

    @Test
    void aSchemeWithoutItsFileSystemNamesTheModuleToAdd() {
        AtelierCliTest.Result r = AtelierCliTest.atelier("train-gan", "--data", "gs://bucket/datasets/faces",
                "--out", tmp.resolve("run").toString(), "--master", "local[1]");
        assertEquals(2, r.code(), r.err());
        List<String> lines = errorLines(r);
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).contains("gs://bucket/datasets/faces") && lines.get(0).contains("scheme 'gs'")
                && lines.get(0).contains("gcs-connector"), lines.get(0));
    }

    @Test
    void anUnreachableNameNodeIsOneLineNamingThePathWithinThirtySeconds() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String data = "hdfs://127.0.0.1:" + closed + "/datasets/faces";
        long start = System.nanoTime();
        AtelierCliTest.Result r = AtelierCliTest.atelier("train-gan", "--data", data,
                "--out", tmp.resolve("run").toString(), "--master", "local[1]");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(2, r.code(), r.err());
        List<String> lines = errorLines(r);
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).contains(data) && lines.get(0).contains("connection refused"), lines.get(0));
        assertTrue(seconds < 30, "gave up after " + seconds + " s");
    }

    @Test
    void missingModulesAreNamedWithTheHadoopVersionSparkShips() {
        String hadoop = org.apache.hadoop.util.VersionInfo.getVersion();
        AtelierCliTest.Result r = AtelierCliTest.atelier("train-gan", "--data", "abfs://c@account.dfs.core.windows.net/ds",
                "--out", tmp.resolve("run").toString(), "--master", "local[1]");
        assertEquals(2, r.code(), r.err());
        assertTrue(errorLines(r).get(0).contains("org.apache.hadoop:hadoop-azure:" + hadoop), r.err());
    }
}
