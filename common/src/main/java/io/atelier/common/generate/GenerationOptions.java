package io.atelier.common.generate;

import io.atelier.common.io.InvalidSettingException;
import java.io.Serializable;

/**
 * @param label   a class for every sample, or null; ignored when {@code allLabels}
 * @param allLabels spread the count evenly over the model's classes (sample i gets class i mod K)
 * @param pngDir  also write each image as PNG under {@code pngDir/<label>/sample-<i>.png}; null for none
 * @param batch   samples per forward pass; batches are aligned to global indices, so the same
 *                samples share a batch whatever the partitioning
 */
public record GenerationOptions(long count, String output, String pngDir, long seed, Integer label,
                                boolean allLabels, int partitions, int shards, int batch) implements Serializable {
    public GenerationOptions {
        if (count < 1) {
            throw new InvalidSettingException("{count} " + count + ": generate at least one image");
        }
        if (output == null || output.isBlank()) {
            throw new InvalidSettingException("{out}: give the dataset directory to write");
        }
        if (partitions < 1) {
            throw new InvalidSettingException("{partitions} " + partitions + ": use 1 or more");
        }
        if (shards < 1) {
            throw new InvalidSettingException("{shards} " + shards + ": use 1 or more");
        }
        if (batch < 1) {
            throw new InvalidSettingException("{batch} " + batch + ": use 1 or more");
        }
    }

    public static GenerationOptions of(long count, String output, long seed) {
        return new GenerationOptions(count, output, null, seed, null, false, (int) Math.min(64, Math.max(1, count / 256)), 8, 64);
    }

    public GenerationOptions withPartitions(int p) {
        return new GenerationOptions(count, output, pngDir, seed, label, allLabels, p, shards, batch);
    }

    public GenerationOptions withLabels(Integer l, boolean all) {
        return new GenerationOptions(count, output, pngDir, seed, l, all, partitions, shards, batch);
    }

    public GenerationOptions withPngDir(String dir) {
        return new GenerationOptions(count, output, dir, seed, label, allLabels, partitions, shards, batch);
    }

    public GenerationOptions withOutput(String out) {
        return new GenerationOptions(count, out, pngDir, seed, label, allLabels, partitions, shards, batch);
    }
}
