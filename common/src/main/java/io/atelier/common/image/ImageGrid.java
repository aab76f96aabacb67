package io.atelier.common.image;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Lays images out in labelled rows and encodes the sheet as PNG. */
public final class ImageGrid {
    private static final int GAP = 2;
    private static final int LABEL_WIDTH = 110;
    private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private ImageGrid() {
    }

    /**
     * One row per entry of {@code rows}; each image is scaled by {@code scale} (nearest
     * neighbour, so small images stay crisp). A null or empty label list draws no label column;
     * otherwise the column is as wide as the longest label needs.
     */
    public static BufferedImage compose(List<List<BufferedImage>> rows, List<String> labels, int scale) {
        int cols = rows.stream().mapToInt(List::size).max().orElse(0);
        if (cols == 0) {
            throw new IllegalArgumentException("no images to lay out");
        }
        BufferedImage any = rows.stream().filter(r -> !r.isEmpty()).findFirst().orElseThrow().get(0);
        int cell = Math.max(any.getWidth(), any.getHeight()) * scale;
        boolean labelled = labels != null && !labels.isEmpty();
        int left = labelled ? Math.max(LABEL_WIDTH, widest(labels) + 8) : 0;
        int width = left + cols * (cell + GAP) + GAP;
        int height = rows.size() * (cell + GAP) + GAP;
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(new Color(245, 245, 245));
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(LABEL_FONT);
            for (int r = 0; r < rows.size(); r++) {
                int y = GAP + r * (cell + GAP);
                if (labelled && r < labels.size()) {
                    g.setColor(Color.DARK_GRAY);
                    g.drawString(labels.get(r), 4, y + cell / 2 + 5);
                }
                List<BufferedImage> row = rows.get(r);
                for (int c = 0; c < row.size(); c++) {
                    BufferedImage img = row.get(c);
                    g.drawImage(img, left + GAP + c * (cell + GAP), y,
                            img.getWidth() * scale, img.getHeight() * scale, null);
                }
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    private static int widest(List<String> labels) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            FontMetrics metrics = g.getFontMetrics(LABEL_FONT);
            return labels.stream().mapToInt(metrics::stringWidth).max().orElse(0);
        } finally {
            g.dispose();
        }
    }

    public static byte[] toPng(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer installed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
