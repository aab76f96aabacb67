package io.atelier.common.families.stylegan.augment;

import io.atelier.common.image.ImageDecoder;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.RejectedImageException;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Tensor;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A figure of the pipeline: one image under each transform alone, each group, and all of them,
 * at p = 1, one row each; column j of every row uses image j's draws of the same seed, so a
 * column's rotation in the "rotate" row is the rotation it gets in the "bgc" row. The first
 * column is the image itself.
 */
public final class AugmentGrid {
    private AugmentGrid() {
    }

    /** The grid for an RGB image (any size of at least 2x2), {@code columns} augmented copies per row. */
    public static BufferedImage render(BufferedImage source, int columns, long seed) {
        if (columns < 1) {
            throw new IllegalArgumentException("the figure needs at least one augmented column, got " + columns);
        }
        int h = source.getHeight();
        int w = source.getWidth();
        Tensor copies = new Tensor(columns, h, w, 3);
        HostArrays.load(copies.rows(columns), replicate(source, columns));
        List<Set<Transform>> sets = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Transform t : Transform.values()) {
            sets.add(EnumSet.of(t));
            labels.add(t.name().toLowerCase());
        }
        for (Transform.Group g : Transform.Group.values()) {
            sets.add(Transform.of(g));
            labels.add("all " + g.name().toLowerCase());
        }
        sets.add(Transform.all());
        labels.add("bgc (all 12)");
        List<BufferedImage> original = toImages(copies, 1, h, w);
        List<List<BufferedImage>> rows = new ArrayList<>();
        for (Set<Transform> set : sets) {
            Tensor out = new AugmentPipeline(columns, h, w, 3, set).apply(copies, columns, 1.0, seed);
            List<BufferedImage> row = new ArrayList<>(original);
            row.addAll(toImages(out, columns, h, w));
            rows.add(row);
        }
        return ImageGrid.compose(rows, labels, Math.max(1, 96 / Math.max(h, w)));
    }

    /** Decodes {@code sourceImage}, renders its grid and writes it as PNG to {@code outPng}. */
    public static void write(Path sourceImage, Path outPng, int columns, long seed) throws IOException {
        BufferedImage source;
        try {
            source = new ImageDecoder(1L << 22).decode(Files.readAllBytes(sourceImage));
        } catch (RejectedImageException e) {
            throw new IllegalArgumentException("cannot read " + sourceImage + " as an image: " + e.getMessage(), e);
        }
        Files.write(outPng, ImageGrid.toPng(render(source, columns, seed)));
    }

    /** {@code AugmentGrid IMAGE OUT.png [COLUMNS] [SEED]}: writes the figure of docs/ada.md. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: AugmentGrid IMAGE OUT.png [COLUMNS=6] [SEED=1]");
        }
        int columns = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        write(Path.of(args[0]), Path.of(args[1]), columns, seed);
    }

    /** The image in [-1, 1] as NHWC floats, {@code copies} times. */
    private static float[] replicate(BufferedImage image, int copies) {
        int h = image.getHeight();
        int w = image.getWidth();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        float[] one = new float[h * w * 3];
        for (int p = 0; p < argb.length; p++) {
            one[p * 3] = PixelAdapter.toUnit((byte) (argb[p] >> 16));
            one[p * 3 + 1] = PixelAdapter.toUnit((byte) (argb[p] >> 8));
            one[p * 3 + 2] = PixelAdapter.toUnit((byte) argb[p]);
        }
        float[] all = new float[one.length * copies];
        for (int i = 0; i < copies; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return all;
    }

    private static List<BufferedImage> toImages(Tensor nhwc, int n, int h, int w) {
        return PixelAdapter.toImages(nhwc.rows(n, h, w, 3));
    }
}
