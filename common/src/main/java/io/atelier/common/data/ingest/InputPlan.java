package io.atelier.common.data.ingest;

import java.util.List;

/**
 * What an ingest will read: work units for files, archives and IDX records, and Parquet
 * directories (Atelier datasets or Spark image output) read as frames.
 */
record InputPlan(List<WorkUnit> units, List<String> frames, long knownItems, boolean idxOnly) {
}
