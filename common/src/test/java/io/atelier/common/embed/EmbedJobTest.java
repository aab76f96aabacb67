package io.atelier.common.embed;

import io.atelier.common.image.AlignedBilinear;
import io.atelier.common.io.Json;
import io.atelier.common.features.FeatureNetwork;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbedJobTest {
    static SparkSession spark;

    @TempDir
    static Path tmp;
    static Path photos;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("embed-tests")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        photos = tmp.resolve("photos");
        Files.createDirectories(photos.resolve("sub"));
        Color[] colors = {Color.RED, Color.GREEN, Color.BLUE};
        for (int i = 0; i < colors.length; i++) {
            BufferedImage img = new BufferedImage(40 + 10 * i, 30, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(colors[i]);
            g.fillOval(5, 5, 20, 20);
            g.dispose();
            ImageIO.write(img, "png", (i == 2 ? photos.resolve("sub") : photos).resolve(i + ".png").toFile());
        }
        Files.write(photos.resolve("broken.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2});
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static ExtractorSpec random() {
        return ExtractorSpec.resolve("random", null, null, new Configuration());
    }

    @Test
    void oneGlobalAverageVectorPerImageAndLayerAndBrokenFilesRejected() throws IOException {
        String out = tmp.resolve("emb").toString();
        List<String> lines = new ArrayList<>();
        EmbedJob.Summary s = new EmbedJob(spark).run(random(),
                new EmbedOptions(photos.toString(), List.of("conv1", "conv3"), out, 1_000_000, 2), lines::add);

        assertEquals(new EmbedJob.Summary(4, 3, 1, 6, List.of("conv1", "conv3"), List.of("executor driver: cpu, 1 thread")), s);
        List<Row> rows = spark.read().parquet(out).where("error IS NULL").orderBy("origin", "layer").collectAsList();
        assertEquals(6, rows.size());
        assertEquals(8, rows.get(0).getList(3).size(), "conv1 has 8 channels");
        assertEquals(16, rows.get(1).getList(3).size(), "conv3 has 16 channels");
        Row rejected = spark.read().parquet(out).where("error IS NOT NULL").first();
        assertTrue(rejected.getString(1).endsWith("broken.png"), rejected.toString());

        // The job's vector equals the channel mean of the network's own map for that image.
        BufferedImage red = ImageIO.read(photos.resolve("0.png").toFile());
        FeatureNetwork net = random().build();
        INDArray map = net.forward(Nd4j.create(AlignedBilinear.toUnitNchw(List.of(red), 32), new long[]{1, 3, 32, 32}, 'c'),
                List.of("conv3")).get("conv3");
        Row redConv3 = rows.stream().filter(r -> r.getString(1).endsWith("/0.png") && r.getString(2).equals("conv3"))
                .findFirst().orElseThrow();
        float[] expected = map.mean(2, 3).toFloatVector();
        float[] actual = new float[expected.length];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = (Float) redConv3.getList(3).get(i);
        }
        assertArrayEquals(expected, actual, 1e-6f);

        assertEquals(6, lines.size());
        assertTrue(lines.get(0).startsWith("{\"origin\":\"") && lines.get(0).contains("\"layer\":\"conv1\",\"vector\":["),
                lines.get(0));
        Map<?, ?> description = Json.MAPPER.readValue(Files.readAllBytes(Path.of(out, EmbedJob.DESCRIPTION)), Map.class);
        assertEquals("random", description.get("extractor"));
        assertEquals(List.of("conv1", "conv3"), description.get("layers"));
    }

    @Test
    void vggFromAnH5FileTravelsToExecutorsAsBytes() throws Exception {
        String h5 = Path.of(EmbedJobTest.class.getResource("/style/tiny-vgg.h5").toURI()).toString();
        String out = tmp.resolve("vgg").toString();
        EmbedJob.Summary s = new EmbedJob(spark).run(ExtractorSpec.resolve("vgg19", null, h5, new Configuration()),
                new EmbedOptions(photos.toString(), List.of("block2_pool", "predictions"), out, 1_000_000, 4), null);
        assertEquals(new EmbedJob.Summary(4, 3, 1, 6, List.of("block2_pool", "predictions"), s.devices()), s);
        for (Row r : spark.read().parquet(out).where("error IS NULL").collectAsList()) {
            assertEquals(r.getString(2).equals("predictions") ? 3 : 8, r.getList(3).size(), r.toString());
        }
    }

    @Test
    void unknownLayerFailsBeforeAnyWork() {
        String out = tmp.resolve("never").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EmbedJob(spark).run(random(),
                new EmbedOptions(photos.toString(), List.of("mixed5"), out, 1_000_000, 2), null));
        assertTrue(e.getMessage().contains("no layer 'mixed5'"), e.getMessage());
        assertTrue(Files.notExists(Path.of(out)));
    }

    @Test
    void vggWithoutH5SaysWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExtractorSpec.resolve("vgg19", null, null, new Configuration()));
        assertTrue(e.getMessage().contains("needs --vgg FILE.h5"), e.getMessage());
    }
}
