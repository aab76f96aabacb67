package io.atelier.common.data.ingest;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/** Image files under one input root; the label is the first sub-folder of each file's path. */
record FileBatchUnit(String root, List<String> relativePaths, LabelSource labels, long maxFileBytes)
        implements WorkUnit {

    @Override
    public long expectedItems() {
        return relativePaths.size();
    }

    @Override
    public void read(Configuration conf, Consumer<SourceItem> sink) {
        for (String relative : relativePaths) {
            Path path = relative.isEmpty() ? new Path(root) : InputPlanner.child(new Path(root), relative);
            String origin = path.toString();
            try {
                byte[] bytes = io.atelier.common.io.HadoopFiles.readAll(path, conf, maxFileBytes);
                sink.accept(SourceItem.encoded(origin, bytes, labels.labelOf(relative)));
            } catch (IOException | RuntimeException e) {
                // One file the file system cannot open must not fail the batch, let alone the job.
                String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                sink.accept(SourceItem.unreadable(origin, -1, "unreadable file: " + what));
            }
        }
    }
}
