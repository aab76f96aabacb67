/**
 * Turning image collections (folders, zip/tar archives, IDX files, Parquet and Spark image
 * frames) into datasets: planning work units, decoding with quarantine, dedup, split and shard.
 * Depends on {@code data}, {@code image}, {@code io}, {@code exec} (the progress poller).
 */
package io.atelier.common.data.ingest;
