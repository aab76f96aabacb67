package io.atelier.common.data.ingest;

import java.util.List;

/**
 * What an ingest will read: work units for files, archives and IDX records, and Parquet
 * directories (Atelier datasets or Spark image output) read as frames; and each input's
 * {@link InputFingerprint}, in the order of the inputs.
 */
record InputPlan(List<WorkUnit> units, List<String> frames, long knownItems, boolean idxOnly,
                 List<java.util.Map<String, Object>> fingerprints) {
}
