package io.atelier.common.data.ingest;

import org.apache.hadoop.conf.Configuration;

import java.io.Serializable;
import java.util.function.Consumer;

/** A slice of the input one task reads: a batch of files, an archive, a range of IDX records. */
interface WorkUnit extends Serializable {
    /** Items this unit will yield, or -1 when unknown before reading (archives). */
    long expectedItems();

    /** Streams the unit's items; problems with single items become unreadable items, not errors. */
    void read(Configuration conf, Consumer<SourceItem> sink);
}
