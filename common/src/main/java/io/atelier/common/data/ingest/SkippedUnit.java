package io.atelier.common.data.ingest;

import org.apache.hadoop.conf.Configuration;

import java.util.List;
import java.util.function.Consumer;

/**
 * Entries the planner did not follow (symbolic links that dangle, loop or leave the input), each
 * yielded as a quarantined item with its reason so that {@code in} counts it.
 */
record SkippedUnit(List<String> origins, List<String> reasons) implements WorkUnit {
    SkippedUnit {
        origins = List.copyOf(origins);
        reasons = List.copyOf(reasons);
    }

    @Override
    public long expectedItems() {
        return origins.size();
    }

    @Override
    public void read(Configuration conf, Consumer<SourceItem> sink) {
        for (int i = 0; i < origins.size(); i++) {
            sink.accept(SourceItem.unreadable(origins.get(i), -1, reasons.get(i)));
        }
    }
}
