package io.atelier.common.data;

/**
 * File names inside a dataset directory. Names starting with '_' are skipped by Spark's file
 * sources, so {@code spark.read.parquet(dir)} sees only the rows.
 */
public final class DatasetLayout {
    public static final String MANIFEST = "_manifest.json";
    public static final String QUARANTINE = "_quarantine";

    private DatasetLayout() {
    }

    public static String shardDir(int shard) {
        return DatasetSchema.SHARD + "=" + shard;
    }
}
