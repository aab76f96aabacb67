package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetLayout;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.Manifest;
import io.atelier.common.testing.LocalSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Running ingests and reading what they wrote, for the tests in this package. */
final class IngestTesting {
    private IngestTesting() {
    }

    static SparkSession spark() {
        return LocalSpark.get();
    }

    static IngestSummary ingest(IngestOptions options) {
        return new Ingest(spark(), options).run(IngestProgress.NONE);
    }

    /** Options with a fixed test fraction and shard count, so tests state what they depend on. */
    static IngestOptions options(List<String> inputs, Path output, int size) {
        return IngestOptions.of(inputs, output.toString(), size).withShards(4);
    }

    static List<Row> rows(Path dataset) {
        return spark().read().parquet(dataset.toString()).collectAsList();
    }

    static List<Row> quarantine(Path dataset) {
        Path q = dataset.resolve(DatasetLayout.QUARANTINE);
        if (!Files.exists(q)) {
            return List.of();
        }
        return spark().read().parquet(q.toString()).collectAsList();
    }

    /** origin -> reason */
    static Map<String, String> quarantineReasons(Path dataset) {
        Map<String, String> reasons = new TreeMap<>();
        for (Row r : quarantine(dataset)) {
            reasons.put(r.getAs("origin"), r.getAs("reason"));
        }
        return reasons;
    }

    static Row image(Row row) {
        return row.getStruct(row.fieldIndex(DatasetSchema.IMAGE));
    }

    static String origin(Row row) {
        return image(row).getAs("origin");
    }

    static byte[] data(Row row) {
        return image(row).getAs("data");
    }

    /** The summary's, the manifest's and the files' counts agree, and in = accepted + duplicates + quarantined. */
    static void assertReconciles(IngestSummary s, Path dataset) {
        assertEquals(s.in(), s.accepted() + s.duplicates() + s.quarantined(),
                "in = accepted + duplicates + quarantined: " + s.line());
        Manifest.Counts c = s.manifest().counts();
        assertEquals(s.in() + "/" + s.accepted() + "/" + s.duplicates() + "/" + s.quarantined(),
                c.in() + "/" + c.accepted() + "/" + c.duplicates() + "/" + c.quarantined(),
                "manifest counts (in/accepted/duplicates/quarantined) expected to equal the summary's");
        long stored = rows(dataset).size();
        assertEquals(s.accepted(), stored, "rows stored = accepted");
        assertEquals(stored, c.rows(), "manifest rows vs rows stored");
        assertEquals(stored, c.perSplit().values().stream().mapToLong(Long::longValue).sum(),
                "manifest per-split counts expected to sum to the rows");
        assertEquals(stored, c.perShard().values().stream().mapToLong(Long::longValue).sum(),
                "manifest per-shard counts expected to sum to the rows");
        assertEquals(s.quarantined(), quarantine(dataset).size(), "quarantine rows vs quarantined count");
    }

    /** Manifest per-label counts summed over splits: label -> count. */
    static Map<String, Long> perLabel(Manifest m) {
        Map<String, Long> out = new TreeMap<>();
        m.counts().perLabel().forEach((label, bySplit) ->
                out.put(label, bySplit.values().stream().mapToLong(Long::longValue).sum()));
        return out;
    }

    /** Stored rows per label, counted from the Parquet rows themselves. */
    static Map<String, Long> perLabelInRows(List<Row> rows) {
        Map<String, Long> out = new TreeMap<>();
        for (Row r : rows) {
            Object label = r.getAs(DatasetSchema.LABEL);
            out.merge(label == null ? "unlabelled" : String.valueOf(label), 1L, Long::sum);
        }
        return out;
    }
}
