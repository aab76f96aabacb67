package io.atelier.common.data.ingest;

import io.atelier.common.data.ImageIds;
import io.atelier.common.data.DatasetLayout;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.testing.SampleImages;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.atelier.common.data.ingest.IngestTesting.data;
import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.spark;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IngestDeterminismTest {
    private static final int SHARDS = 4;

    @TempDir
    Path tmp;

    /** Shard number -> its rows in file order; each shard directory must hold exactly one Parquet file. */
    private static Map<Integer, List<Row>> shards(Path dataset) throws IOException {
        Map<Integer, List<Row>> shards = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(dataset)) {
            for (Path dir : dirs.filter(p -> p.getFileName().toString().startsWith(DatasetSchema.SHARD + "=")).toList()) {
                int shard = Integer.parseInt(dir.getFileName().toString().substring(DatasetSchema.SHARD.length() + 1));
                List<Path> files;
                try (Stream<Path> f = Files.list(dir)) {
                    files = f.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
                }
                assertEquals(1, files.size(), dir.getFileName() + ": Parquet files per shard directory");
                shards.put(shard, spark().read().parquet(files.get(0).toString()).collectAsList());
            }
        }
        return shards;
    }

    @Test
    void reingestIntoAnotherDirectoryWritesIdenticalShards() throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("a", 14);
        counts.put("b", 13);
        counts.put("c", 13);
        Path in = SampleImages.folderTree(tmp.resolve("in"), counts, 40);
        // Two copies of one picture: which origin is kept must not depend on task timing.
        Files.copy(in.resolve("a").resolve("img-000.png"), in.resolve("b").resolve("copy-of-a0.png"));
        Files.copy(in.resolve("a").resolve("img-000.png"), in.resolve("c").resolve("copy-of-a0.png"));

        IngestOptions first = IngestOptions.of(List.of(in.toString()), tmp.resolve("one").toString(), 32)
                .withShards(SHARDS);
        IngestSummary s1 = ingest(first);
        IngestSummary s2 = ingest(first.withOutput(tmp.resolve("two").toString()));
        assertEquals(s1.line(), s2.line(), "summaries of the two runs");
        assertEquals(2, s1.duplicates(), "duplicates per run");

        Map<Integer, List<Row>> one = shards(tmp.resolve("one"));
        Map<Integer, List<Row>> two = shards(tmp.resolve("two"));
        assertEquals(one.keySet(), two.keySet(), "shard directories");
        assertTrue(one.size() > 1, "expected the rows spread over several shards, got " + one.keySet());
        for (int shard : one.keySet()) {
            List<Row> a = one.get(shard);
            List<Row> b = two.get(shard);
            assertEquals(ids(a), ids(b), "shard " + shard + ": ids in file order");
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(data(a.get(i)), data(b.get(i)), "shard " + shard + " row " + i + ": pixel bytes");
                assertEquals(IngestTesting.origin(a.get(i)), IngestTesting.origin(b.get(i)),
                        "shard " + shard + " row " + i + ": origin kept");
                assertEquals(a.get(i).<String>getAs(DatasetSchema.SPLIT), b.get(i).<String>getAs(DatasetSchema.SPLIT),
                        "shard " + shard + " row " + i + ": split");
            }
            List<String> sorted = new ArrayList<>(ids(a));
            sorted.sort(null);
            assertEquals(sorted, ids(a), "shard " + shard + ": rows expected in id order");
            for (Row r : a) {
                String id = r.getAs(DatasetSchema.ID);
                assertEquals(shard, ImageIds.shardOf(id, SHARDS), "row " + id + " stored in shard " + shard);
            }
        }
        assertEquals(s1.manifest().counts(), s2.manifest().counts(), "manifest counts");
        assertTrue(Arrays.equals(s1.manifest().channelMean(), s2.manifest().channelMean()), "manifest channel means");
        assertTrue(Files.exists(tmp.resolve("two").resolve(DatasetLayout.MANIFEST)), "second manifest written");
    }

    private static List<String> ids(List<Row> rows) {
        return rows.stream().map(r -> r.<String>getAs(DatasetSchema.ID)).toList();
    }
}
