package io.atelier.common.data.ingest;

import io.atelier.common.data.Manifest;

/**
 * The reconciliation an ingest ends with: in = accepted + duplicates + quarantined, where accepted
 * counts the rows stored and duplicates the decoded images dropped for equal content.
 */
public record IngestSummary(long in, long accepted, long duplicates, long quarantined, Manifest manifest,
                            boolean alreadyPresent) {
    public String line() {
        return "in " + in + " = accepted " + accepted + " + duplicates " + duplicates + " + quarantined " + quarantined;
    }
}
