package io.atelier.common.families.diffusion;

import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.CrossAttention;
import io.atelier.common.nn.Dense;
import io.atelier.common.nn.GroupNormAct;
import io.atelier.common.nn.ParamLayout;
import io.atelier.common.nn.ResBlock;
import io.atelier.common.nn.SelfAttention;

import java.io.Serializable;
import java.util.List;

/**
 * The shape of a noise-prediction U-Net: image geometry, widths per resolution level (level i
 * runs at side imageSize / 2^i with {@code base * mults[i]} channels, one residual block per
 * level on the way down and one on the way up), self-attention at the lowest level, group count
 * of the normalisations, and the vocabulary of the condition encoder (0: unconditional).
 *
 * With the transformer text encoder, a conditional U-Net also cross-attends to the caption's
 * token vectors after the middle block and after the up-path block of every level below full
 * resolution, and adds their pooled vector to the time embedding.
 *
 * @param vocabulary  words of the condition encoder; 0 when unconditional
 * @param textEncoder the condition encoder (null: the mean of word vectors)
 * @param textLayers  transformer blocks of the text encoder
 * @param maxTokens   tokens the text encoder reads (the longest caption); 0 with the mean encoder
 */
public record UNetArchitecture(int imageSize, int channels, int base, List<Integer> mults, boolean attention,
                               int groups, int vocabulary, TextEncoder.Kind textEncoder, int textLayers,
                               int maxTokens) implements Serializable {

    /** A U-Net with the mean-of-words condition encoder (or none). */
    public UNetArchitecture(int imageSize, int channels, int base, List<Integer> mults, boolean attention, int groups,
                            int vocabulary) {
        this(imageSize, channels, base, mults, attention, groups, vocabulary, TextEncoder.Kind.MEAN, 0, 0);
    }

    public UNetArchitecture {
        textEncoder = textEncoder == null ? TextEncoder.Kind.MEAN : textEncoder;
        if (textEncoder == TextEncoder.Kind.TRANSFORMER && vocabulary > 0 && (textLayers < 0 || maxTokens < 1)) {
            throw new IllegalArgumentException("a transformer text encoder needs layers >= 0 and tokens >= 1, got "
                    + textLayers + ", " + maxTokens);
        }
        mults = List.copyOf(mults);
        if (mults.size() < 2) {
            throw new IllegalArgumentException("a U-Net needs at least 2 levels, got " + mults);
        }
        if (imageSize % (1 << (mults.size() - 1)) != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " does not halve " + (mults.size() - 1) + " times");
        }
        if (base < 2 || base % 2 != 0) {
            throw new IllegalArgumentException("base width must be even and >= 2, got " + base);
        }
        if (vocabulary < 0 || groups < 1) {
            throw new IllegalArgumentException("vocabulary must be >= 0 and groups >= 1, got " + vocabulary + ", " + groups);
        }
    }

    public int levels() {
        return mults.size();
    }

    public int width(int level) {
        return base * mults.get(level);
    }

    public int side(int level) {
        return imageSize >> level;
    }

    /** Width of the time (and condition) embedding every residual block reads. */
    public int embDim() {
        return 4 * base;
    }

    public boolean conditional() {
        return vocabulary > 0;
    }

    /** Conditioned through the transformer text encoder and cross-attention. */
    public boolean transformer() {
        return conditional() && textEncoder == TextEncoder.Kind.TRANSFORMER;
    }

    /** Whether level {@code i}'s up-path block is followed by cross-attention (every level below full resolution). */
    public boolean crossAttends(int level) {
        return transformer() && level >= 1;
    }

    /** Heads of a cross-attention over {@code channels}: 4 when they divide evenly, else 2 or 1. */
    static int heads(int channels) {
        return channels % 4 == 0 ? 4 : channels % 2 == 0 ? 2 : 1;
    }

    /** All trained tensors, in a fixed order. */
    public ParamLayout params() {
        ParamLayout.Builder b = ParamLayout.builder();
        int e = embDim();
        Dense.register(b, "time.fc1", base, e, Math.sqrt(1.0 / base));
        Dense.register(b, "time.fc2", e, e, Math.sqrt(1.0 / e));
        if (transformer()) {
            TextEncoder.register(b, "text", vocabulary, maxTokens, e, textLayers);
        } else if (conditional()) {
            b.add("cond.words", ParamLayout.Init.NORMAL, 1.0, vocabulary, e);
        }
        Conv2d.register(b, "in", false, channels, width(0), 3, Math.sqrt(1.0 / (9 * channels)));
        for (int i = 0; i < levels(); i++) {
            ResBlock.register(b, "down" + i, i == 0 ? width(0) : width(i - 1), width(i), e);
            if (i < levels() - 1) {
                Conv2d.register(b, "down" + i + ".pool", false, width(i), width(i), 3, Math.sqrt(1.0 / (9 * width(i))));
            }
        }
        int low = width(levels() - 1);
        ResBlock.register(b, "mid1", low, low, e);
        if (attention) {
            SelfAttention.register(b, "mid.attn", low);
        }
        if (transformer()) {
            CrossAttention.register(b, "mid.xattn", low, e);
        }
        ResBlock.register(b, "mid2", low, low, e);
        for (int i = levels() - 1; i >= 0; i--) {
            int from = i == levels() - 1 ? low : width(i + 1);
            ResBlock.register(b, "up" + i, from + width(i), width(i), e);
            if (crossAttends(i)) {
                CrossAttention.register(b, "up" + i + ".xattn", width(i), e);
            }
            if (i > 0) {
                Conv2d.register(b, "up" + i + ".conv", false, width(i), width(i), 3, Math.sqrt(1.0 / (9 * width(i))));
            }
        }
        GroupNormAct.register(b, "out.norm", width(0));
        Conv2d.register(b, "out", false, width(0), channels, 3, 0.1 * Math.sqrt(1.0 / (9 * width(0))));
        return b.build();
    }
}
