package io.atelier.common.data.ingest;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Image files under one input root; the label is the first sub-folder of each file's path.
 *
 * @param captions image path -> its sidecar caption file's path (both relative to the root)
 */
record FileBatchUnit(String root, List<String> relativePaths, Map<String, String> captions, LabelSource labels,
                     long maxFileBytes) implements WorkUnit {

    FileBatchUnit {
        captions = Map.copyOf(captions);
    }

    @Override
    public long expectedItems() {
        return relativePaths.size();
    }

    @Override
    public void read(Configuration conf, Consumer<SourceItem> sink) {
        for (String relative : relativePaths) {
            Path path = pathOf(relative);
            String origin = path.toString();
            try {
                byte[] bytes = io.atelier.common.io.HadoopFiles.readAll(path, conf, maxFileBytes);
                if (!relative.isEmpty() && SidecarCaptions.isCaptionFile(relative)) {
                    sink.accept(SourceItem.unreadable(origin, bytes.length, SidecarCaptions.ORPHAN));
                    continue;
                }
                String captionFile = captions.get(relative);
                SidecarCaptions.Caption caption = captionFile == null ? null : SidecarCaptions.read(pathOf(captionFile)
                        .toString(), io.atelier.common.io.HadoopFiles.readAll(pathOf(captionFile), conf, maxFileBytes));
                sink.accept(SourceItem.captioned(origin, bytes, labels.labelOf(relative), caption));
            } catch (IOException | RuntimeException e) {
                // One file the file system cannot open must not fail the batch, let alone the job.
                String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                sink.accept(SourceItem.unreadable(origin, -1, "unreadable file: " + what));
            }
        }
    }

    /** This unit without the files whose paths ({@link #pathOf}) {@code keep} refuses. */
    FileBatchUnit only(java.util.function.Predicate<String> keep) {
        List<String> kept = relativePaths.stream().filter(r -> keep.test(pathOf(r).toString())).toList();
        Map<String, String> theirCaptions = new java.util.HashMap<>(captions);
        theirCaptions.keySet().retainAll(new java.util.HashSet<>(kept));
        return new FileBatchUnit(root, kept, theirCaptions, labels, maxFileBytes);
    }

    Path pathOf(String relative) {
        return relative.isEmpty() ? new Path(root) : InputPlanner.child(new Path(root), relative);
    }
}
