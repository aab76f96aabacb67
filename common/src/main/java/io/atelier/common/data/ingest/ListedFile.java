package io.atelier.common.data.ingest;

import java.io.Serializable;

/**
 * A file a work unit reads, as the driver's listing saw it, before anything is opened.
 *
 * @param file  the file as item origins spell it: a folder's image file is its items' origin, an
 *              archive is the part of its entries' origins before {@code !/}
 * @param stamp size and modification time ({@code 2048@1733580000123}); an image with a sidecar
 *              caption adds the caption's ({@code ...+31@1733580000456}), since the caption can
 *              decide the image's outcome. Equal stamps stand for equal bytes, as for make or rsync:
 *              a file rewritten to the same size within the file system's time resolution is not seen
 * @param unit  the work unit (and so the partition of the items frame) that reads it
 */
public record ListedFile(String file, String stamp, int unit) implements Serializable {
    static String stamp(long size, long modified) {
        return size + "@" + modified;
    }
}
