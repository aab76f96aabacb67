package io.atelier.common.image;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.Objects;

/**
 * One value of Spark's {@code image} struct: 8-bit pixels, row-major, channels interleaved in
 * OpenCV order (BGR), exactly as {@code spark.read.format("image")} produces them.
 */
public record SparkImage(String origin, int height, int width, int nChannels, int mode, byte[] data)
        implements Serializable {

    /** OpenCV type codes Spark uses in the {@code mode} field. */
    public static final int CV_8UC1 = 0;
    public static final int CV_8UC3 = 16;
    public static final int CV_8UC4 = 24;

    /** The struct's schema, field for field as Spark's ImageSchema.columnSchema. */
    public static final StructType STRUCT = new StructType(new StructField[]{
            DataTypes.createStructField("origin", DataTypes.StringType, true),
            DataTypes.createStructField("height", DataTypes.IntegerType, false),
            DataTypes.createStructField("width", DataTypes.IntegerType, false),
            DataTypes.createStructField("nChannels", DataTypes.IntegerType, false),
            DataTypes.createStructField("mode", DataTypes.IntegerType, false),
            DataTypes.createStructField("data", DataTypes.BinaryType, false)});

    public SparkImage {
        Objects.requireNonNull(data, "data");
        if ((long) height * width * nChannels != data.length) {
            throw new IllegalArgumentException("image " + origin + ": " + height + "x" + width + "x" + nChannels
                    + " needs " + ((long) height * width * nChannels) + " bytes, has " + data.length);
        }
    }

    public static int modeFor(int channels) {
        return switch (channels) {
            case 1 -> CV_8UC1;
            case 3 -> CV_8UC3;
            case 4 -> CV_8UC4;
            default -> throw new IllegalArgumentException("unsupported channel count " + channels);
        };
    }

    /** Converts an RGB image to 1 (luma, ITU-R BT.601) or 3 (BGR) channels. */
    public static SparkImage fromRgb(String origin, BufferedImage rgb, int channels) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        int[] argb = rgb.getRGB(0, 0, w, h, null, 0, w);
        byte[] data = new byte[w * h * channels];
        for (int i = 0; i < argb.length; i++) {
            int r = (argb[i] >> 16) & 0xFF;
            int g = (argb[i] >> 8) & 0xFF;
            int b = argb[i] & 0xFF;
            if (channels == 1) {
                data[i] = (byte) Math.min(255, Math.round(0.299f * r + 0.587f * g + 0.114f * b));
            } else if (channels == 3) {
                data[3 * i] = (byte) b;
                data[3 * i + 1] = (byte) g;
                data[3 * i + 2] = (byte) r;
            } else {
                throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
            }
        }
        return new SparkImage(origin, h, w, channels, modeFor(channels), data);
    }

    /**
     * An RGB view for display and re-fitting; gray is replicated, and a 4th (alpha) channel, as
     * Spark's image source stores it for images with transparency, is composited over white the
     * way {@link ImageDecoder} composites files.
     */
    public BufferedImage toRgb() {
        int[] argb = new int[width * height];
        for (int i = 0; i < argb.length; i++) {
            int r;
            int g;
            int b;
            if (nChannels == 1) {
                r = g = b = data[i] & 0xFF;
            } else {
                int o = i * nChannels;
                b = data[o] & 0xFF;
                g = data[o + 1] & 0xFF;
                r = data[o + 2] & 0xFF;
                if (nChannels == 4) {
                    int a = data[o + 3] & 0xFF;
                    b = overWhite(b, a);
                    g = overWhite(g, a);
                    r = overWhite(r, a);
                }
            }
            argb[i] = (r << 16) | (g << 8) | b;
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, width, height, argb, 0, width);
        return out;
    }

    /** One 8-bit channel value of a non-premultiplied pixel with alpha {@code a}, laid over white. */
    static int overWhite(int value, int a) {
        return (value * a + 255 * (255 - a) + 127) / 255;
    }

    /** This image mirrored left to right (each pixel's channels kept together). */
    public SparkImage mirrored() {
        byte[] out = new byte[data.length];
        int rowBytes = width * nChannels;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                System.arraycopy(data, y * rowBytes + x * nChannels, out, y * rowBytes + (width - 1 - x) * nChannels,
                        nChannels);
            }
        }
        return new SparkImage(origin, height, width, nChannels, mode, out);
    }

    /**
     * This image moved {@code dx} pixels right and {@code dy} down (negative: left, up); pixels
     * moved in from outside repeat the nearest edge pixel.
     */
    public SparkImage shifted(int dx, int dy) {
        byte[] out = new byte[data.length];
        int rowBytes = width * nChannels;
        for (int y = 0; y < height; y++) {
            int sy = Math.min(height - 1, Math.max(0, y - dy));
            for (int x = 0; x < width; x++) {
                int sx = Math.min(width - 1, Math.max(0, x - dx));
                System.arraycopy(data, sy * rowBytes + sx * nChannels, out, y * rowBytes + x * nChannels, nChannels);
            }
        }
        return new SparkImage(origin, height, width, nChannels, mode, out);
    }

    public Row toRow() {
        return RowFactory.create(origin, height, width, nChannels, mode, data);
    }

    public static SparkImage fromRow(Row row) {
        if (row == null) {
            throw new IllegalArgumentException("image struct is null");
        }
        return new SparkImage(row.getString(row.fieldIndex("origin")), row.getInt(row.fieldIndex("height")),
                row.getInt(row.fieldIndex("width")), row.getInt(row.fieldIndex("nChannels")),
                row.getInt(row.fieldIndex("mode")), (byte[]) row.get(row.fieldIndex("data")));
    }
}
