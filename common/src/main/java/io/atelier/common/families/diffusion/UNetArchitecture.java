package io.atelier.common.families.diffusion;

import io.atelier.common.nn.Conv2d;
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
 * @param vocabulary words of the bag-of-words condition encoder; 0 when unconditional
 */
public record UNetArchitecture(int imageSize, int channels, int base, List<Integer> mults, boolean attention,
                               int groups, int vocabulary) implements Serializable {

    public UNetArchitecture {
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

    /** All trained tensors, in a fixed order. */
    public ParamLayout params() {
        ParamLayout.Builder b = ParamLayout.builder();
        int e = embDim();
        Dense.register(b, "time.fc1", base, e, Math.sqrt(1.0 / base));
        Dense.register(b, "time.fc2", e, e, Math.sqrt(1.0 / e));
        if (conditional()) {
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
        ResBlock.register(b, "mid2", low, low, e);
        for (int i = levels() - 1; i >= 0; i--) {
            int from = i == levels() - 1 ? low : width(i + 1);
            ResBlock.register(b, "up" + i, from + width(i), width(i), e);
            if (i > 0) {
                Conv2d.register(b, "up" + i + ".conv", false, width(i), width(i), 3, Math.sqrt(1.0 / (9 * width(i))));
            }
        }
        GroupNormAct.register(b, "out.norm", width(0));
        Conv2d.register(b, "out", false, width(0), channels, 3, 0.1 * Math.sqrt(1.0 / (9 * width(0))));
        return b.build();
    }
}
