package io.atelier.common.families.diffusion;

import io.atelier.common.io.InvalidSettingException;
import org.apache.commons.text.similarity.LevenshteinDistance;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The words a conditional diffusion model understands: every word of its captions (the dataset's
 * label names or its captions), lower-cased and split on anything that is not a letter or digit.
 * A caption or prompt becomes its word ids; the model's condition is the mean of those words'
 * learned vectors, so "ankle boot" and class 9's caption give the same condition.
 */
public final class Vocabulary implements Serializable {
    /** Vocabularies up to this size are listed whole in errors (label names); larger ones get close matches. */
    static final int LIST_ALL_UP_TO = 30;
    private static final int CLOSE_MATCHES = 3;
    private final List<String> words;
    private final Map<String, Integer> ids;
    private final List<int[]> captions;

    /** The vocabulary of label names: two names with the same words are refused (a prompt could not pick one). */
    public Vocabulary(List<String> captions) {
        this(captions, true);
    }

    /** The vocabulary of free captions, where captions with the same words simply ask for the same thing. */
    public static Vocabulary ofCaptions(List<String> captions) {
        return new Vocabulary(captions, false);
    }

    private Vocabulary(List<String> captions, boolean distinctLabels) {
        Map<String, Integer> m = new LinkedHashMap<>();
        List<int[]> encoded = new ArrayList<>();
        for (String caption : captions) {
            List<String> ws = split(caption);
            if (ws.isEmpty()) {
                throw new IllegalArgumentException("caption '" + caption + "' has no words");
            }
            for (String w : ws) {
                m.putIfAbsent(w, m.size());
            }
            encoded.add(ws.stream().mapToInt(m::get).toArray());
        }
        this.ids = m;
        this.words = List.copyOf(m.keySet());
        this.captions = encoded;
        for (int a = 0; distinctLabels && a < captions.size(); a++) {
            for (int b = a + 1; b < captions.size(); b++) {
                if (sameBag(encoded.get(a), encoded.get(b))) {
                    throw new IllegalArgumentException("labels '" + captions.get(a) + "' and '" + captions.get(b)
                            + "' have the same words; a prompt could not tell them apart");
                }
            }
        }
    }

    /** A caption or prompt as the vocabulary reads it: lower-cased words of letters and digits. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    public List<String> words() {
        return words;
    }

    public int size() {
        return words.size();
    }

    /** Word ids of caption (class) {@code label}. */
    public int[] caption(int label) {
        return captions.get(label).clone();
    }

    public int captions() {
        return captions.size();
    }

    /** Word ids of a prompt; an unknown word is an error that lists the vocabulary, or close matches in a large one. */
    public int[] encode(String prompt) {
        return encode(prompt, "{prompt} '" + prompt + "'");
    }

    /** As {@link #encode(String)}, errors naming the text as {@code what}. */
    public int[] encode(String prompt, String what) {
        List<String> ws = split(prompt);
        if (ws.isEmpty()) {
            throw new InvalidSettingException(what + " has no words; the model knows: " + String.join(", ", words));
        }
        int[] out = new int[ws.size()];
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            Integer id = ids.get(ws.get(i));
            if (id == null) {
                unknown.add(ws.get(i));
            } else {
                out[i] = id;
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidSettingException(what + ": unknown word" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; " + known(unknown));
        }
        return out;
    }

    /** All the words of a small vocabulary; for a large one (captions), the nearest few to each unknown word. */
    private String known(List<String> unknown) {
        if (words.size() <= LIST_ALL_UP_TO) {
            return "the model knows: " + String.join(", ", words);
        }
        List<String> hints = new ArrayList<>();
        for (String word : unknown) {
            List<String> close = closeMatches(word);
            hints.add(word + ": " + (close.isEmpty() ? "nothing close" : "did you mean " + String.join(", ", close) + "?"));
        }
        return String.join("; ", hints) + " (the model knows " + words.size() + " words: its training captions,"
                + " in the run's config.json)";
    }

    /** Up to {@link #CLOSE_MATCHES} words within an edit distance of a third of the word's length (at least 1). */
    List<String> closeMatches(String word) {
        int limit = Math.max(1, word.length() / 3);
        LevenshteinDistance distance = new LevenshteinDistance(limit);
        Map<String, Integer> within = new LinkedHashMap<>();
        for (String w : words) {
            int d = distance.apply(word, w); // -1 beyond the limit
            if (d >= 0) {
                within.put(w, d);
            }
        }
        return within.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .limit(CLOSE_MATCHES)
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The class whose caption has exactly these words (in any order), or -1. */
    public int labelOf(int[] wordIds) {
        for (int c = 0; c < captions.size(); c++) {
            if (sameBag(captions.get(c), wordIds)) {
                return c;
            }
        }
        return -1;
    }

    private static boolean sameBag(int[] a, int[] b) {
        int[] x = java.util.Arrays.stream(a).distinct().sorted().toArray();
        int[] y = java.util.Arrays.stream(b).distinct().sorted().toArray();
        return java.util.Arrays.equals(x, y);
    }
}
