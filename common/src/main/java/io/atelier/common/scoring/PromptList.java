package io.atelier.common.scoring;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.atelier.common.families.diffusion.Vocabulary;
import io.atelier.common.io.InvalidSettingException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The prompts whose fidelity is measured, as a JSON file gives them:
 * {@code {"categories": {"pizza": "Food & Drink", ...}, "attributes": {"heart colour": ["red heart",
 * "blue heart", ...], ...}}}. A category prompt is scored by the classifier (is the sample of the
 * prompt's category?), an attribute group by colour (is the sample's mean colour nearest the real
 * images of the asked prompt, among the group's prompts?).
 */
public record PromptList(@JsonProperty("categories") Map<String, String> categories,
                         @JsonProperty("attributes") Map<String, List<String>> attributes) {
    public PromptList {
        categories = categories == null ? Map.of() : new LinkedHashMap<>(categories);
        attributes = attributes == null ? Map.of() : new LinkedHashMap<>(attributes);
        if (categories.isEmpty() && attributes.isEmpty()) {
            throw new InvalidSettingException("{prompts}: the file names no prompts; give \"categories\" "
                    + "({\"prompt\": \"category\"}) and/or \"attributes\" ({\"group\": [\"prompt\", ...]})");
        }
        categories.forEach((prompt, category) -> {
            requireWords(prompt);
            if (category == null || category.isBlank()) {
                throw new InvalidSettingException("{prompts}: category prompt '" + prompt + "' has no category");
            }
        });
        attributes.forEach((group, prompts) -> {
            if (prompts == null || prompts.size() < 2) {
                throw new InvalidSettingException("{prompts}: attribute group '" + group
                        + "' needs at least two prompts to choose between, has " + (prompts == null ? 0 : prompts.size()));
            }
            Set<List<String>> seen = new HashSet<>();
            for (String p : prompts) {
                if (!seen.add(requireWords(p))) {
                    throw new InvalidSettingException("{prompts}: attribute group '" + group + "' lists '" + p
                            + "' twice (the same words)");
                }
            }
        });
    }

    private static List<String> requireWords(String prompt) {
        List<String> words = prompt == null ? List.of() : Vocabulary.split(prompt);
        if (words.isEmpty()) {
            throw new InvalidSettingException("{prompts}: a prompt without words ('" + prompt + "'); every prompt "
                    + "must name something");
        }
        return words;
    }

    /** Every prompt once, category prompts first, in the file's order. */
    public List<String> all() {
        Set<String> out = new LinkedHashSet<>(categories.keySet());
        attributes.values().forEach(out::addAll);
        return new ArrayList<>(out);
    }

    /** The prompts of all attribute groups. */
    public Set<String> attributePrompts() {
        Set<String> out = new LinkedHashSet<>();
        attributes.values().forEach(out::addAll);
        return out;
    }

    /** A caption or prompt as a key: its words as the text encoder reads them, joined by spaces. */
    public static String key(String text) {
        return String.join(" ", Vocabulary.split(text));
    }
}
