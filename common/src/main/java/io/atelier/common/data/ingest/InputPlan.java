package io.atelier.common.data.ingest;

import java.util.List;

/**
 * What an ingest will read: work units for files, archives and IDX records, and Parquet
 * directories (Atelier datasets or Spark image output) read as frames; each input's
 * {@link InputFingerprint}, in the order of the inputs; and the files the units read, each with
 * its stamp and unit ({@link ListedFile}; units of IDX records and skipped links have none).
 */
record InputPlan(List<WorkUnit> units, List<String> frames, long knownItems, boolean idxOnly,
                 List<java.util.Map<String, Object>> fingerprints, List<ListedFile> listed) {
}
