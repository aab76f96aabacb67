package io.atelier.common.bench;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Photo-like JPEGs (gradients, shapes, grain) made from a seed, for benchmarks that need files. */
public final class SyntheticPhotos {
    private SyntheticPhotos() {
    }

    public static void write(Path dir, int count, int width, int height, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.9f);
            for (int i = 0; i < count; i++) {
                BufferedImage img = draw(width, height, rng.split());
                try (ImageOutputStream out = ImageIO.createImageOutputStream(dir.resolve(String.format("photo-%06d.jpg", i)).toFile())) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(img, null, null), param);
                }
            }
        } finally {
            writer.dispose();
        }
    }

    private static BufferedImage draw(int w, int h, SplittableRandom rng) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, color(rng), w, h, color(rng)));
        g.fillRect(0, 0, w, h);
        for (int s = 0; s < 12; s++) {
            g.setColor(color(rng));
            int x = rng.nextInt(w);
            int y = rng.nextInt(h);
            int sw = 10 + rng.nextInt(w / 2);
            int sh = 10 + rng.nextInt(h / 2);
            if (rng.nextBoolean()) {
                g.fillOval(x - sw / 2, y - sh / 2, sw, sh);
            } else {
                g.fillRect(x - sw / 2, y - sh / 2, sw, sh);
            }
        }
        g.dispose();
        byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) Math.max(0, Math.min(255, (px[i] & 0xFF) + rng.nextInt(-12, 13)));
        }
        return img;
    }

    private static Color color(SplittableRandom rng) {
        return new Color(rng.nextInt(256), rng.nextInt(256), rng.nextInt(256));
    }
}
