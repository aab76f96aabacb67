package io.atelier.common.data.ingest;

import io.atelier.common.image.SparkImage;
import org.apache.hadoop.conf.Configuration;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/** Records [from, to) of an IDX images file and, when present, its labels file. */
record IdxUnit(IdxFile images, IdxFile labelsFile, int from, int to, List<String> classNames)
        implements WorkUnit {

    @Override
    public long expectedItems() {
        return to - from;
    }

    @Override
    public void read(Configuration conf, Consumer<SourceItem> sink) {
        int plane = images.rows() * images.cols();
        byte[] labels = null;
        if (labelsFile != null) {
            try {
                labels = readLabels(conf);
            } catch (IOException e) {
                for (int j = from; j < to; j++) {
                    sink.accept(SourceItem.unreadable(images.path() + "#" + j, -1,
                            "labels file " + labelsFile.path() + " unreadable at record " + j + ": " + e.getMessage()));
                }
                return;
            }
        }
        try (DataInputStream in = IdxFile.open(images.path(), conf)) {
            in.skipNBytes(images.headerBytes() + (long) from * plane);
            for (int i = from; i < to; i++) {
                String origin = images.path() + "#" + i;
                byte[] pixels = new byte[plane];
                try {
                    in.readFully(pixels);
                } catch (EOFException e) {
                    for (int j = i; j < to; j++) {
                        sink.accept(SourceItem.unreadable(images.path() + "#" + j, -1,
                                "IDX file ends before record " + j + " of " + images.count() + " its header declares"));
                    }
                    return;
                }
                Integer label = labels == null ? null : labels[i - from] & 0xFF;
                String name = label == null ? null : nameOf(label);
                SparkImage image = new SparkImage(origin, images.rows(), images.cols(), 1, SparkImage.CV_8UC1, pixels);
                sink.accept(SourceItem.pixels(origin, image, name, label, null, null));
            }
        } catch (IOException e) {
            sink.accept(SourceItem.unreadable(images.path() + "#" + from + "-" + (to - 1), -1,
                    "unreadable IDX file: " + e.getMessage()));
        }
    }

    private byte[] readLabels(Configuration conf) throws IOException {
        try (DataInputStream in = IdxFile.open(labelsFile.path(), conf)) {
            in.skipNBytes(labelsFile.headerBytes() + from);
            byte[] labels = new byte[to - from];
            in.readFully(labels);
            return labels;
        }
    }

    private String nameOf(int label) {
        return classNames != null && label < classNames.size() ? classNames.get(label) : String.valueOf(label);
    }
}
