/**
 * The dataset format every stage reads and writes: Parquet rows with Spark's image struct plus
 * id, label, split and shard, a JSON manifest written last, and a quarantine table.
 * Depends on {@code image} and {@code io}.
 */
package io.atelier.common.data;
