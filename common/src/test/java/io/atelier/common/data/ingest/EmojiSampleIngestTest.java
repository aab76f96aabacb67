package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetSchema;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.atelier.common.data.ingest.IngestTesting.assertReconciles;
import static io.atelier.common.data.ingest.IngestTesting.data;
import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.origin;
import static io.atelier.common.data.ingest.IngestTesting.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vendored emoji pair sample (data/emoji-sample) through one ingest with {@code --split-by name}. */
class EmojiSampleIngestTest {
    private static final int SIZE = 64;
    private static final int EMOJI = 102;

    @TempDir
    static Path tmp;

    private static Path images;
    private static IngestSummary summary;
    private static List<Row> rows;
    /** emoji.tsv: name -> CLDR label. */
    private static final Map<String, String> LABELS = new TreeMap<>();

    @BeforeAll
    static void ingestTheSample() throws IOException {
        String root = System.getProperty("atelier.repo.root");
        assertTrue(root != null, "system property atelier.repo.root expected (set by surefire)");
        Path sample = Path.of(root, "data", "emoji-sample");
        images = sample.resolve("images");
        assertTrue(Files.isDirectory(images.resolve("google")), "vendored sample expected at " + sample);
        List<String> tsv = Files.readAllLines(sample.resolve("emoji.tsv"), StandardCharsets.UTF_8);
        assertEquals("name\tbase\tcategory\tsubcategory\tlabel\ttags", tsv.get(0), "emoji.tsv header");
        for (String line : tsv.subList(1, tsv.size())) {
            String[] f = line.split("\t", -1);
            LABELS.put(f[0], f[4]);
        }
        assertEquals(EMOJI, LABELS.size(), "emoji in emoji.tsv");

        Path out = tmp.resolve("emoji");
        IngestOptions options = IngestOptions.of(List.of(images.toString()), out.toString(), SIZE)
                .withChannels(3).withShards(2).withSplitBy(SplitBy.NAME);
        summary = ingest(options);
        assertReconciles(summary, out);
        rows = rows(out);
    }

    private static String fileName(Row r) {
        String origin = origin(r);
        return origin.substring(origin.lastIndexOf('/') + 1);
    }

    private static String stem(Row r) {
        return fileName(r).replaceFirst("\\.png$", "");
    }

    @Test
    void bothSetsArePresentWithEqualCountsInEverySplit() {
        assertEquals("in 204 = accepted 204 + duplicates 0 + quarantined 0", summary.line(),
                "every image and caption of the sample is read; no two are equal");
        assertEquals(List.of("google", "twitter"), summary.manifest().labelNames(), "labels: the two sets");
        Map<String, Map<String, Long>> perLabel = summary.manifest().counts().perLabel();
        assertEquals(perLabel.get("0"), perLabel.get("1"), "per-split counts of google (0) and twitter (1)");
        long test = perLabel.get("0").getOrDefault(DatasetSchema.TEST, 0L);
        assertTrue(test > 0 && test < EMOJI, "expected both splits at --test-fraction 0.1, got " + perLabel);
    }

    @Test
    void everyNameIsInOneSplitOnBothSides() {
        Map<String, Map<String, String>> byName = new TreeMap<>();
        for (Row r : rows) {
            byName.computeIfAbsent(fileName(r), k -> new TreeMap<>())
                    .put(r.getAs(DatasetSchema.LABEL_NAME), r.getAs(DatasetSchema.SPLIT));
        }
        assertEquals(EMOJI, byName.size(), "file names");
        byName.forEach((name, sides) -> {
            assertEquals(2, sides.size(), name + ": expected a google and a twitter row, got " + sides);
            assertEquals(sides.get("google"), sides.get("twitter"), name + ": split of google vs twitter");
        });
    }

    @Test
    void captionsAreTheCldrLabels() {
        Map<String, String> captions = new TreeMap<>();
        for (Row r : rows) {
            String caption = r.getAs(DatasetSchema.CAPTION);
            assertEquals(LABELS.get(stem(r)), caption, origin(r) + ": caption vs emoji.tsv's label");
            captions.put(r.getAs(DatasetSchema.LABEL_NAME) + "/" + fileName(r), caption);
        }
        assertEquals("red heart", captions.get("google/2764-fe0f.png"), "Noto red heart");
        assertEquals("red heart", captions.get("twitter/2764-fe0f.png"), "Twemoji red heart");
        assertEquals("thumbs up: dark skin tone", captions.get("twitter/1f44d-1f3ff.png"), "a skin-tone variant");
        assertEquals(Long.valueOf(2L * EMOJI), summary.manifest().captioned(), "captioned rows in the manifest");
    }

    @Test
    void transparentPixelsAreStoredWhite() throws IOException {
        long transparent = 0;
        for (Row r : rows) {
            BufferedImage png = ImageIO.read(images.resolve((String) r.getAs(DatasetSchema.LABEL_NAME))
                    .resolve(fileName(r)).toFile());
            assertEquals(SIZE, png.getWidth(), origin(r) + ": width of the source");
            assertTrue(png.getColorModel().hasAlpha(), origin(r) + ": the sample's PNGs are RGBA");
            byte[] bgr = data(r);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    if ((png.getRGB(x, y) >>> 24) != 0) {
                        continue;
                    }
                    transparent++;
                    int i = 3 * (y * SIZE + x);
                    int b = bgr[i] & 0xff, g = bgr[i + 1] & 0xff, red = bgr[i + 2] & 0xff;
                    if (b != 255 || g != 255 || red != 255) {
                        throw new AssertionError(origin(r) + " (" + x + "," + y + "): transparent in the PNG, stored as"
                                + " RGB " + red + "," + g + "," + b + " instead of white");
                    }
                }
            }
        }
        assertTrue(transparent > 2L * EMOJI * 100, "expected many fully transparent pixels, got " + transparent);
    }
}
