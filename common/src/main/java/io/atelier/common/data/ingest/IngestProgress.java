package io.atelier.common.data.ingest;

/** Receives running counts while an ingest's tasks complete (about once a second). */
@FunctionalInterface
public interface IngestProgress {
    /** @param expected items the plan knows of, or -1 when archives make it unknown */
    void update(long seen, long accepted, long quarantined, long expected);

    /** Every input has been decoded; de-duplication and writing follow. */
    default void decoded(long in) {
    }

    /** One line about something the ingest did besides its work (a clean-up); before any update. */
    default void notice(String line) {
    }

    IngestProgress NONE = (seen, accepted, quarantined, expected) -> { };
}
