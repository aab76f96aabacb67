package io.atelier.common.data.ingest;

import io.atelier.common.io.InvalidSettingException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.zip.GZIPInputStream;

/**
 * MNIST-style IDX files (big-endian): images have magic 0x00000803 and dimensions
 * (count, rows, cols); labels have magic 0x00000801 and (count). Plain or gzip-compressed.
 */
record IdxFile(String path, int magic, int count, int rows, int cols) implements Serializable {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    /** Whether a file name looks like an IDX file ({@code ...-idx3-ubyte}, optionally {@code .gz}). */
    static boolean looksLikeIdx(String name) {
        return name.matches(".*-idx[13]-ubyte(\\.gz)?$");
    }

    /** The images file's labels partner: {@code X-images-idx3-ubyte} -> {@code X-labels-idx1-ubyte}. */
    static String labelsPathFor(String imagesPath) {
        return imagesPath.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1");
    }

    static IdxFile readHeader(String path, Configuration conf) {
        try (DataInputStream in = open(path, conf)) {
            int magic = in.readInt();
            if (magic == IMAGES_MAGIC) {
                return new IdxFile(path, magic, in.readInt(), in.readInt(), in.readInt());
            }
            if (magic == LABELS_MAGIC) {
                return new IdxFile(path, magic, in.readInt(), 0, 0);
            }
            throw new InvalidSettingException("{input} " + path + " is not an IDX file (magic 0x"
                    + Integer.toHexString(magic) + ", expected 0x803 for images or 0x801 for labels)");
        } catch (IOException e) {
            throw new InvalidSettingException("{input} " + path + ": cannot read IDX header: " + e.getMessage(), e);
        }
    }

    /** Opens the file, decompressing gzip when the first bytes say so. */
    static DataInputStream open(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        InputStream raw = new BufferedInputStream(p.getFileSystem(conf).open(p), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream body = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
        return new DataInputStream(body);
    }

    int headerBytes() {
        return magic == IMAGES_MAGIC ? 16 : 8;
    }
}
