package io.atelier.common.families.diffusion;

import io.atelier.common.data.Manifest;

import io.atelier.common.io.InvalidSettingException;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * Everything that fixes a diffusion model: geometry, U-Net widths, the forward process, what the
 * network predicts, the optimiser (Adam with linear warm-up and global-norm gradient clipping),
 * the EMA used for sampling, and the condition: the captions (label names or the dataset's
 * captions) whose words the model learns, dropped with probability {@code condDrop} so the same network also predicts
 * unconditionally (classifier-free guidance). Immutable and serialisable.
 *
 * @param imageSize  side of the square images: 28, 32 or 64
 * @param channels   1 or 3
 * @param base       channels of the U-Net's first level
 * @param mults      width multiplier per level (level i at side imageSize / 2^i)
 * @param attention  self-attention at the lowest level
 * @param groups     group-normalisation groups
 * @param timesteps  T of the forward process
 * @param schedule   linear or cosine
 * @param prediction eps (the noise) or v (sqrt(abar) eps - sqrt(1 - abar) x0)
 * @param learningRate Adam step size after warm-up
 * @param warmupSteps  steps of linear learning-rate warm-up
 * @param gradClip     global gradient norm cap (0: no clipping)
 * @param emaDecay     decay of the weights' moving average used for sampling
 * @param batchSize    images per step and worker
 * @param captions     when conditional, the captions learned from (one per class: the label names; or the
 *                     distinct captions of the dataset's train split); empty otherwise
 * @param condDrop     probability of training a row without its condition
 * @param captionSource where the captions came from (null, in runs made before captions: label names)
 * @param textEncoder  how a conditional model encodes a caption (null, in runs made before the transformer: mean)
 * @param textLayers   transformer blocks of the transformer text encoder
 */
public record DiffusionConfig(int imageSize, int channels, int base, List<Integer> mults, boolean attention, int groups,
                              int timesteps, NoiseSchedule.Kind schedule, Prediction prediction, double learningRate,
                              int warmupSteps, double gradClip, double emaDecay, int batchSize, List<String> captions,
                              double condDrop, CaptionSource captionSource, TextEncoder.Kind textEncoder,
                              int textLayers) implements Serializable {

    public static final List<Integer> IMAGE_SIZES = List.of(28, 32, 64);

    public enum Prediction {
        EPS, V;

        public static Prediction parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("{prediction} " + s + ": use eps or v");
            }
        }
    }

    /** What a conditional model's captions are: the label names, or the dataset's {@code caption} column. */
    public enum CaptionSource { LABEL_NAME, CAPTION }

    public DiffusionConfig {
        captionSource = captionSource == null ? CaptionSource.LABEL_NAME : captionSource;
        textEncoder = textEncoder == null ? TextEncoder.Kind.MEAN : textEncoder;
        if (textLayers < 0) {
            throw new InvalidSettingException("{textLayers} " + textLayers + ": use 0 or more");
        }
        if (!IMAGE_SIZES.contains(imageSize)) {
            throw new IllegalArgumentException("diffusion image size must be one of " + IMAGE_SIZES + ", got " + imageSize);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        mults = List.copyOf(mults);
        captions = List.copyOf(captions);
        if (timesteps < 2) {
            throw new InvalidSettingException("{timesteps} " + timesteps + ": use 2 or more");
        }
        if (!(learningRate > 0 && Double.isFinite(learningRate)) || warmupSteps < 0 || gradClip < 0 || batchSize < 1) {
            throw new IllegalArgumentException("need a finite lr > 0, warmup >= 0, gradClip >= 0, batch >= 1; got " + learningRate
                    + ", " + warmupSteps + ", " + gradClip + ", " + batchSize);
        }
        if (!(emaDecay >= 0 && emaDecay <= 1) || !(condDrop >= 0 && condDrop < 1)) {
            throw new IllegalArgumentException("emaDecay must be in [0, 1] and condDrop in [0, 1), got " + emaDecay
                    + " and " + condDrop);
        }
        if (captions.size() == 1) {
            throw new IllegalArgumentException("a conditional model needs at least 2 classes");
        }
        architecture(imageSize, channels, base, mults, attention, groups, 0);
    }

    /** Defaults for a geometry: base 32, levels 28->14->7 (32->16->8, 64->...->8), T = 1000, linear, eps. */
    public static DiffusionConfig defaults(int imageSize, int channels) {
        List<Integer> mults = imageSize == 64 ? List.of(1, 2, 2, 2) : List.of(1, 2, 2);
        return new DiffusionConfig(imageSize, channels, 32, mults, true, 8, 1000, NoiseSchedule.Kind.LINEAR,
                Prediction.EPS, 5e-4, 200, 1.0, 0.999, 64, List.of(), 0.1, CaptionSource.LABEL_NAME, TextEncoder.Kind.MEAN, 2);
    }

    /** Sized from a dataset's geometry (captions come from {@link ConditionCaptions}). */
    public static DiffusionConfig forManifest(Manifest manifest) {
        if (manifest.height() != manifest.width()) {
            throw new IllegalArgumentException("diffusion needs square images; the dataset's are "
                    + manifest.height() + "x" + manifest.width() + " (re-ingest with a square size)");
        }
        return defaults(manifest.height(), manifest.channels());
    }

    public boolean conditional() {
        return !captions.isEmpty();
    }

    public Vocabulary vocabulary() {
        return captionSource == CaptionSource.CAPTION ? Vocabulary.ofCaptions(captions) : new Vocabulary(captions);
    }

    /**
     * The word ids that ask for class {@code label}, named {@code name}: its caption for a model of
     * label names; the name's words for a model of free captions (an error if it never saw them).
     */
    public int[] labelCondition(Vocabulary vocabulary, int label, String name) {
        return captionSource == CaptionSource.CAPTION ? vocabulary.encode(name, "{label} " + label + " ('" + name + "')")
                : vocabulary.caption(label);
    }

    public NoiseSchedule noiseSchedule() {
        return new NoiseSchedule(schedule, timesteps);
    }

    public UNetArchitecture architecture() {
        if (conditional() && textEncoder == TextEncoder.Kind.TRANSFORMER) {
            return new UNetArchitecture(imageSize, channels, base, mults, attention, groups, vocabulary().size(),
                    textEncoder, textLayers, maxTokens());
        }
        return architecture(imageSize, channels, base, mults, attention, groups,
                conditional() ? vocabulary().size() : 0);
    }

    /** Tokens the transformer text encoder reads: as many as the longest caption has words. */
    public int maxTokens() {
        return captions.stream().mapToInt(c -> Vocabulary.split(c).size()).max().orElse(0);
    }

    /**
     * A prompt's word ids: null for an empty prompt (unconditional); an unknown word, or more
     * words than the transformer encoder reads, is an error naming the fix.
     */
    public int[] encodePrompt(Vocabulary vocabulary, String prompt) {
        if (Vocabulary.split(prompt).isEmpty()) {
            return null;
        }
        int[] ids = vocabulary.encode(prompt);
        if (textEncoder == TextEncoder.Kind.TRANSFORMER && ids.length > maxTokens()) {
            throw new InvalidSettingException("{prompt} '" + prompt + "' has " + ids.length + " words; this model's text"
                    + " encoder reads at most " + maxTokens() + " (its longest training caption): shorten the prompt");
        }
        return ids;
    }

    private static UNetArchitecture architecture(int size, int channels, int base, List<Integer> mults, boolean attention,
                                                 int groups, int vocabulary) {
        return new UNetArchitecture(size, channels, base, mults, attention, groups, vocabulary);
    }

    public int imageFloats() {
        return channels * imageSize * imageSize;
    }

    /** Conditioned on label names {@code names}. */
    public DiffusionConfig withCaptions(List<String> names, double drop) {
        return withCaptions(names, CaptionSource.LABEL_NAME, drop);
    }

    public DiffusionConfig withCaptions(List<String> texts, CaptionSource source, double drop) {
        return new DiffusionConfig(imageSize, channels, base, mults, attention, groups, timesteps, schedule, prediction,
                learningRate, warmupSteps, gradClip, emaDecay, batchSize, texts, drop, source, textEncoder, textLayers);
    }

    /** Conditioned through {@code kind} ({@code layers} blocks for the transformer). */
    public DiffusionConfig withTextEncoder(TextEncoder.Kind kind, int layers) {
        return new DiffusionConfig(imageSize, channels, base, mults, attention, groups, timesteps, schedule, prediction,
                learningRate, warmupSteps, gradClip, emaDecay, batchSize, captions, condDrop, captionSource, kind, layers);
    }

    public DiffusionConfig withNetwork(int newBase, List<Integer> newMults, boolean newAttention, int newGroups) {
        return new DiffusionConfig(imageSize, channels, newBase, newMults, newAttention, newGroups, timesteps, schedule,
                prediction, learningRate, warmupSteps, gradClip, emaDecay, batchSize, captions, condDrop, captionSource, textEncoder, textLayers);
    }

    public DiffusionConfig withProcess(int newTimesteps, NoiseSchedule.Kind newSchedule, Prediction newPrediction) {
        return new DiffusionConfig(imageSize, channels, base, mults, attention, groups, newTimesteps, newSchedule,
                newPrediction, learningRate, warmupSteps, gradClip, emaDecay, batchSize, captions, condDrop, captionSource, textEncoder, textLayers);
    }

    public DiffusionConfig withOptimizer(double lr, int warmup, double clip, double ema, int batch) {
        return new DiffusionConfig(imageSize, channels, base, mults, attention, groups, timesteps, schedule, prediction,
                lr, warmup, clip, ema, batch, captions, condDrop, captionSource, textEncoder, textLayers);
    }
}
