package io.atelier.common.families.diffusion;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocabularyTest {

    /** Captions of more words than an error lists whole, as a captioned data set has. */
    private static Vocabulary large() {
        List<String> captions = new ArrayList<>(List.of("red heart", "blue heart", "green heart", "heart with arrow",
                "grinning cat", "cat face", "pizza", "flag of japan", "thumbs up light skin tone", "smiling face"));
        for (int i = 0; captions.size() < 40; i++) {
            captions.add("filler" + (char) ('a' + i % 26) + (char) ('a' + i / 26));
        }
        return Vocabulary.ofCaptions(captions);
    }

    @Test
    void aLargeVocabularyNamesCloseMatchesInsteadOfEveryWord() {
        Vocabulary v = large();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.encode("red hart"));
        assertEquals("prompt 'red hart': unknown word hart; hart: did you mean heart? (the model knows " + v.size()
                + " words: its training captions, in the run's config.json)", e.getMessage());
        assertTrue(!e.getMessage().contains("pizza"), "the whole vocabulary is not listed");

        IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () -> v.encode("gren catt xylophone"));
        assertTrue(two.getMessage().contains("unknown words gren, catt, xylophone; gren: did you mean green?; catt: did you"
                + " mean cat?; xylophone: nothing close"), two.getMessage());
    }

    @Test
    void closeMatchesAreNearestFirstAndBoundedByTheWordsLength() {
        Vocabulary v = large();
        assertEquals(List.of("cat"), v.closeMatches("cats"));
        assertEquals(List.of("face"), v.closeMatches("fac"), "flag and cat are two edits away");
        assertEquals(List.of("heart", "hearts").subList(0, 1), v.closeMatches("hearts"));
        assertEquals(List.of(), v.closeMatches("zzzzzz"));
    }

    @Test
    void aSmallVocabularyIsListedWhole() {
        Vocabulary v = new Vocabulary(List.of("Sneaker", "Bag", "Ankle boot"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.encode("snaker"));
        assertEquals("prompt 'snaker': unknown word snaker; the model knows: sneaker, bag, ankle, boot", e.getMessage());
    }
}
