package io.atelier.common.testing;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Makes test inputs from simple drawn shapes: images in the formats Java writes, folder trees,
 * zip and tar.gz archives, IDX pairs, broken files, and the committed fixtures under
 * {@code src/test/resources/images/} for formats Java cannot write. Other modules reuse it
 * through this module's test-jar.
 */
public final class SampleImages {
    private static final Color[] PALETTE = {
            new Color(220, 40, 40), new Color(40, 160, 60), new Color(40, 80, 220), new Color(230, 200, 30),
            new Color(160, 60, 200), new Color(30, 190, 200), new Color(240, 130, 20), new Color(90, 90, 90)};

    private SampleImages() {
    }

    /**
     * A {@code w x h} RGB image of one shape ({@code kind} 0: disc, 1: square, 2: triangle, 3:
     * cross) whose colour, position and size follow {@code variant}, so different variants are
     * different images.
     */
    public static BufferedImage shape(int kind, int variant, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(245 - (variant * 37) % 60, 240, 230 - (variant * 53) % 50));
            g.fillRect(0, 0, w, h);
            g.setColor(PALETTE[variant % PALETTE.length]);
            int s = Math.max(4, Math.min(w, h) / 2 - (variant / PALETTE.length) % 4);
            int x = (variant * 5) % Math.max(1, w - s);
            int y = (variant * 3) % Math.max(1, h - s);
            switch (Math.floorMod(kind, 4)) {
                case 0 -> g.fillOval(x, y, s, s);
                case 1 -> g.fillRect(x, y, s, s);
                case 2 -> g.fillPolygon(new int[]{x, x + s, x + s / 2}, new int[]{y + s, y + s, y}, 3);
                default -> {
                    g.setStroke(new BasicStroke(Math.max(2, s / 5f)));
                    g.drawLine(x, y, x + s, y + s);
                    g.drawLine(x + s, y, x, y + s);
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** A flat image of one colour in the given BufferedImage type. */
    public static BufferedImage solid(int w, int h, Color color, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(color);
            g.fillRect(0, 0, w, h);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Encodes with the JDK's (or a registered plug-in's) writer for {@code format}. */
    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format + " and image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(Path file, BufferedImage image, String format) {
        return write(file, encode(image, format));
    }

    /**
     * An image-folder tree: for each entry, {@code count} distinct PNGs of {@code size x size}
     * under {@code root/<label>/}. The shape drawn depends on the label's position in the map's
     * iteration order, so use an ordered map.
     */
    public static Path folderTree(Path root, Map<String, Integer> countsPerLabel, int size) {
        int kind = 0;
        int variant = 0;
        for (Map.Entry<String, Integer> e : countsPerLabel.entrySet()) {
            for (int i = 0; i < e.getValue(); i++) {
                write(root.resolve(e.getKey()).resolve(String.format("img-%03d.png", i)),
                        shape(kind, variant++, size, size), "png");
            }
            kind++;
        }
        return root;
    }

    /** Every regular file under {@code root}, relative, slash-separated, sorted. */
    public static List<String> relativeFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Zips every file under {@code root}, entry names relative to it. */
    public static Path zip(Path root, Path zipFile) {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zipFile))) {
            for (String relative : relativeFiles(root)) {
                out.putNextEntry(new ZipEntry(relative));
                out.write(Files.readAllBytes(root.resolve(relative)));
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return zipFile;
    }

    /**
     * A gzip-compressed tar of every file under {@code root}, with directory entries. Written by
     * hand (POSIX ustar) so the fixture does not depend on the archive library under test.
     */
    public static Path tarGz(Path root, Path tarFile) {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tarFile))) {
            List<String> dirs = new ArrayList<>();
            for (String relative : relativeFiles(root)) {
                int slash = relative.lastIndexOf('/');
                String dir = slash > 0 ? relative.substring(0, slash + 1) : null;
                if (dir != null && !dirs.contains(dir)) {
                    dirs.add(dir);
                    out.write(tarHeader(dir, 0, '5'));
                }
                byte[] bytes = Files.readAllBytes(root.resolve(relative));
                out.write(tarHeader(relative, bytes.length, '0'));
                out.write(bytes);
                out.write(new byte[(512 - bytes.length % 512) % 512]);
            }
            out.write(new byte[1024]); // end of archive: two empty blocks
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tarFile;
    }

    private static byte[] tarHeader(String name, long size, char type) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 100) {
            throw new IllegalArgumentException("tar name over 100 bytes: " + name);
        }
        System.arraycopy(n, 0, h, 0, n.length);
        putAscii(h, 100, String.format("%07o", type == '5' ? 0755 : 0644));
        putAscii(h, 108, "0000000");
        putAscii(h, 116, "0000000");
        putAscii(h, 124, String.format("%011o", size));
        putAscii(h, 136, "00000000000");
        h[156] = (byte) type;
        putAscii(h, 257, "ustar");
        putAscii(h, 263, "00");
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        putAscii(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void putAscii(byte[] target, int offset, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, target, offset, b.length);
    }

    /** The records of an IDX pair written by {@link #idx}. */
    public record IdxData(Path images, Path labels, int rows, int cols, byte[][] pixels, int[] labelValues) {
        public int count() {
            return pixels.length;
        }
    }

    /**
     * Writes {@code prefix-images-idx3-ubyte(.gz)} and {@code prefix-labels-idx1-ubyte(.gz)} in
     * {@code dir}: {@code n} images of {@code rows x cols} (a bright bar whose position and
     * brightness vary with the record and seed) and labels {@code 0..classes-1}.
     */
    public static IdxData idx(Path dir, String prefix, int n, int rows, int cols, int classes, boolean gzip,
                              long seed) {
        Random random = new Random(seed);
        byte[][] pixels = new byte[n][rows * cols];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            int bar = random.nextInt(rows);
            int level = 64 + random.nextInt(192);
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    boolean on = y == bar || x == (i * 7 + labels[i]) % cols;
                    pixels[i][y * cols + x] = (byte) (on ? level : random.nextInt(8));
                }
            }
        }
        String ext = gzip ? ".gz" : "";
        Path imagesFile = dir.resolve(prefix + "-images-idx3-ubyte" + ext);
        Path labelsFile = dir.resolve(prefix + "-labels-idx1-ubyte" + ext);
        ByteBuffer imageHeader = ByteBuffer.allocate(16).putInt(0x803).putInt(n).putInt(rows).putInt(cols);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(imageHeader.array());
        for (byte[] p : pixels) {
            body.writeBytes(p);
        }
        write(imagesFile, gzip ? gzip(body.toByteArray()) : body.toByteArray());
        ByteArrayOutputStream labelBody = new ByteArrayOutputStream();
        labelBody.writeBytes(ByteBuffer.allocate(8).putInt(0x801).putInt(n).array());
        for (int l : labels) {
            labelBody.write(l);
        }
        write(labelsFile, gzip ? gzip(labelBody.toByteArray()) : labelBody.toByteArray());
        return new IdxData(imagesFile, labelsFile, rows, cols, pixels, labels);
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The first {@code keep} bytes. */
    public static byte[] truncate(byte[] bytes, int keep) {
        return java.util.Arrays.copyOf(bytes, Math.min(keep, bytes.length));
    }

    public static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * A well-formed PNG whose header declares {@code width x height} 8-bit RGB pixels but whose
     * data is a few hundred bytes: a decoder that trusts the header would allocate
     * width*height*3 bytes before finding out.
     */
    public static byte[] pngBomb(int width, int height) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                    .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
            chunk(out, "IHDR", ihdr.array());
            // Rows of zeros deflate to almost nothing; one row is enough to look like data.
            Deflater deflater = new Deflater(9);
            deflater.setInput(new byte[1 + width * 3]);
            deflater.finish();
            byte[] buf = new byte[1 << 16];
            int n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            chunk(out, "IDAT", java.util.Arrays.copyOf(buf, n));
            chunk(out, "IEND", new byte[0]);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    /**
     * The JPEG with an EXIF APP1 segment declaring {@code orientation} inserted after SOI (and
     * after a JFIF APP0 segment, when there is one), in big- or little-endian TIFF byte order.
     */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
        if ((jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            throw new IllegalArgumentException("not a JPEG");
        }
        ByteBuffer tiff = ByteBuffer.allocate(26)
                .order(littleEndian ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        tiff.put(littleEndian ? (byte) 'I' : (byte) 'M').put(littleEndian ? (byte) 'I' : (byte) 'M');
        tiff.putShort((short) 42).putInt(8);          // magic, offset of IFD0
        tiff.putShort((short) 1);                     // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1); // Orientation, SHORT, count 1
        tiff.putShort((short) orientation).putShort((short) 0);      // value, padded to 4 bytes
        tiff.putInt(0);                               // no next IFD
        byte[] exifHeader = {'E', 'x', 'i', 'f', 0, 0};
        int length = 2 + exifHeader.length + tiff.capacity();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int insertAt = 2;
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {
            insertAt = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        }
        out.write(jpeg, 0, insertAt);
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(exifHeader);
        out.writeBytes(tiff.array());
        out.write(jpeg, insertAt, jpeg.length - insertAt);
        return out.toByteArray();
    }

    /** A committed fixture from {@code src/test/resources/images/}. */
    public static byte[] resource(String name) {
        try (InputStream in = SampleImages.class.getResourceAsStream("/images/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test fixture images/" + name + " on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path copyResource(String name, Path target) {
        return write(target, resource(name));
    }
}
