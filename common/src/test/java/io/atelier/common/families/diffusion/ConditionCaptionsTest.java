package io.atelier.common.families.diffusion;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.train.RowLabeler;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a model of free captions reads each training row's caption, and what its prompts may say. */
class ConditionCaptionsTest {
    private static final StructType SCHEMA = new StructType()
            .add(DatasetSchema.LABEL_NAME, DataTypes.StringType)
            .add(DatasetSchema.CAPTION, DataTypes.StringType);

    private static DiffusionConfig captioned(List<String> captions) {
        return DiffusionConfig.defaults(28, 1).withNetwork(8, List.of(1, 2), false, 8)
                .withCaptions(captions, DiffusionConfig.CaptionSource.CAPTION, 0.1);
    }

    private static Row row(String labelName, String caption) {
        return new GenericRowWithSchema(new Object[]{labelName, caption}, SCHEMA);
    }

    @Test
    void aRowGivesItsCaptionsIndexElseItsLabelNamesElseNone() {
        DiffusionConfig config = captioned(List.of("a red boot", "boot red a", "sandal"));
        RowLabeler labeler = ConditionCaptions.labeler(config);
        assertEquals(0, labeler.labelOf(row("shoes", "A  red,\nBOOT")), "caption words, case and punctuation ignored");
        assertEquals(1, labeler.labelOf(row(null, "boot red a")));
        assertEquals(2, labeler.labelOf(row("Sandal", null)), "no caption: the label name");
        assertEquals(-1, labeler.labelOf(row(null, null)), "neither: unconditional");
        assertSame(RowLabeler.CLASS, ConditionCaptions.labeler(config.withCaptions(List.of("x", "y"), 0.1)),
                "a model of label names trains on the class");
    }

    @Test
    void promptsMayUseAnyCaptionWordAndUnknownWordsListTheVocabulary() {
        Vocabulary v = captioned(List.of("a red boot", "boot red a", "sandal")).vocabulary();
        assertEquals(List.of("a", "red", "boot", "sandal"), v.words(), "captions with the same words are allowed");
        assertArrayEquals(new int[]{3, 1}, v.encode("Sandal, red"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.encode("blue sandal"));
        assertTrue(e.getMessage().contains("unknown word blue; the model knows: a, red, boot, sandal"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Vocabulary(List.of("a red boot", "boot red a")),
                "label names with the same words stay refused");
    }

    @Test
    void labelsOfACaptionModelAreAskedForByTheirNamesWords() {
        DiffusionConfig config = captioned(List.of("red boot", "sandal"));
        Vocabulary v = config.vocabulary();
        assertArrayEquals(new int[]{2}, config.labelCondition(v, 5, "Sandal"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config.labelCondition(v, 1, "Trouser"));
        assertTrue(e.getMessage().startsWith("label 1 ('Trouser'): unknown word trouser"), e.getMessage());
        assertEquals(List.of(), DiffusionFamily.askableLabels(config, List.of("Sandal", "Trouser")));
        assertEquals(List.of("Sandal", "boot"), DiffusionFamily.askableLabels(config, List.of("Sandal", "boot")));
    }
}
