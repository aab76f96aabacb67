package io.atelier.common.scoring;

import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptFidelityScoreTest {
    /** A 2x2 BGR image from four (r, g, b) pixels. */
    private static SparkImage image(int[]... rgb) {
        byte[] data = new byte[rgb.length * 3];
        for (int p = 0; p < rgb.length; p++) {
            data[3 * p] = (byte) rgb[p][2];
            data[3 * p + 1] = (byte) rgb[p][1];
            data[3 * p + 2] = (byte) rgb[p][0];
        }
        return new SparkImage("test", 2, 2, 3, SparkImage.CV_8UC3, data);
    }

    @Test
    void meanColourLeavesTheWhiteGroundOut() {
        int[] white = {255, 255, 255};
        int[] nearWhite = {241, 250, 240};
        float[] c = MeanColour.of(image(white, new int[]{200, 0, 0}, new int[]{100, 20, 0}, nearWhite));
        assertArrayEquals(new float[]{150, 10, 0}, c, 1e-4f, "the two coloured pixels only, in RGB order");
        float[] pale = MeanColour.of(image(white, white, white, new int[]{239, 255, 255}));
        assertArrayEquals(new float[]{239, 255, 255}, pale, 1e-4f, "one channel below 240 is not ground");
        assertNull(MeanColour.of(image(white, white, nearWhite, white)), "nothing but ground: no colour");
        SparkImage grey = new SparkImage("g", 1, 1, 1, SparkImage.CV_8UC1, new byte[]{10});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MeanColour.of(grey));
        assertTrue(e.getMessage().contains("colours need RGB"), e.getMessage());
    }

    @Test
    void nearestIsTheClosestReferenceAndNoneForABlankSample() {
        List<float[]> refs = List.of(new float[]{220, 40, 40}, new float[]{40, 80, 220}, new float[]{40, 40, 40});
        assertEquals(0, MeanColour.nearest(new float[]{180, 90, 60}, refs));
        assertEquals(1, MeanColour.nearest(new float[]{90, 90, 150}, refs));
        assertEquals(2, MeanColour.nearest(new float[]{60, 60, 70}, refs));
        assertEquals(-1, MeanColour.nearest(null, refs));
    }

    @Test
    void sharesCountEachPromptsOwnCategoryAndNearestReference() {
        Map<String, String> categories = new LinkedHashMap<>();
        categories.put("pizza", "Food");
        categories.put("cat", "Animals");
        Map<String, List<String>> attributes = Map.of("heart colour", List.of("red heart", "blue heart"));
        PromptList prompts = new PromptList(categories, attributes);
        List<String> classes = List.of("Animals", "Food", "Flags");
        Map<String, long[]> predicted = Map.of("pizza", new long[]{1, 3, 0}, "cat", new long[]{2, 1, 1});
        List<float[]> redSamples = new ArrayList<>(Arrays.asList(new float[]{200, 30, 30}, new float[]{190, 60, 50},
                new float[]{50, 60, 200}, null));
        List<float[]> blueSamples = List.of(new float[]{30, 40, 210}, new float[]{20, 20, 180});
        Map<String, List<float[]>> colours = Map.of("red heart", redSamples, "blue heart", blueSamples);
        Map<String, PromptFidelity.Reference> refs = Map.of(
                "red heart", new PromptFidelity.Reference("red heart", 2, new float[]{220, 40, 40}),
                "blue heart", new PromptFidelity.Reference("blue heart", 2, new float[]{40, 80, 220}));

        PromptFidelity.AtGuidance g = PromptFidelity.score(3, prompts, classes, predicted, colours, refs);
        assertEquals(3.0, g.guidance());
        assertEquals(0.75, g.categories().get(0).share(), 1e-12, "3 of pizza's 4 samples read as Food");
        assertEquals(0.5, g.categories().get(1).share(), 1e-12);
        assertEquals(Map.of("Animals", 1L, "Food", 3L), g.categories().get(0).predicted());
        assertEquals((0.75 + 0.5) / 2, g.categoryAccuracy(), 1e-12);

        PromptFidelity.GroupBinding hearts = g.binding().get(0);
        PromptFidelity.PromptBinding red = hearts.prompts().get(0);
        assertEquals(0.5, red.share(), 1e-12, "two of four red samples nearest red; the blank one is a miss");
        assertEquals(1, red.blank());
        assertEquals(Map.of("red heart", 2L, "blue heart", 1L), red.nearest());
        assertEquals(1.0, hearts.prompts().get(1).share(), 1e-12);
        assertEquals(0.75, hearts.share(), 1e-12);
        assertEquals(0.5, hearts.chance(), 1e-12);

        PromptFidelity.AtGuidance unscored = PromptFidelity.score(1, prompts, null, Map.of(), colours, refs);
        assertNull(unscored.categoryAccuracy(), "no classifier: categories not scored");
        assertTrue(unscored.categories().isEmpty());
    }

    @Test
    void aPromptsFileThatCannotBeScoredIsRefusedSayingWhy() {
        assertEquals(List.of("pizza", "red heart", "blue heart"), parse("{\"categories\": {\"pizza\": \"Food\"}, "
                + "\"attributes\": {\"hearts\": [\"red heart\", \"blue heart\"]}}").all());
        assertEquals("thumbs up light skin tone", PromptList.key("Thumbs up: light skin tone"));
        assertRefused("{}", "names no prompts");
        assertRefused("{\"attributes\": {\"hearts\": [\"red heart\"]}}", "needs at least two prompts");
        assertRefused("{\"attributes\": {\"hearts\": [\"red heart\", \"Heart, red\", \"red  heart\"]}}", "twice");
        assertRefused("{\"categories\": {\"!!\": \"Food\"}}", "without words");
        assertRefused("{\"categories\": {\"pizza\": \"\"}}", "has no category");
    }

    @Test
    void guidanceValuesAreAListOfNonNegativeNumbers() {
        assertEquals(List.of(1.0, 2.0, 3.0, 5.0), settings("1, 2,3,5").guidanceValues());
        for (String bad : new String[]{"", "two", "-1", "1,,x"}) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> settings(bad).guidanceValues());
            assertTrue(e.getMessage().startsWith("guidance"), e.getMessage());
        }
    }

    private static PromptFidelitySettings settings(String guidance) {
        return new PromptFidelitySettings("run", "p.json", null, null, 10, guidance, 5, 0, "out.json");
    }

    private static PromptList parse(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8), PromptList.class, "prompts");
    }

    private static void assertRefused(String json, String why) {
        Exception e = assertThrows(Exception.class, () -> parse(json));
        Throwable cause = e;
        while (cause != null && !(cause instanceof InvalidSettingException)) {
            cause = cause.getCause();
        }
        assertTrue(cause != null && cause.getMessage().contains(why), json + " -> " + e);
        assertTrue(e.getCause() instanceof ValueInstantiationException || e.getCause() == cause, e.toString());
    }
}
