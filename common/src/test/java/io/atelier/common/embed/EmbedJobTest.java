package io.atelier.common.embed;

import io.atelier.common.catalog.Quarantine;
import io.atelier.common.features.FeatureNetwork;
import io.atelier.common.image.AlignedBilinear;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

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

        assertCounts(s, 4, 3, 1, 6);
        assertEquals(List.of("conv1", "conv3"), s.layers());
        assertEquals(List.of("executor driver: cpu, 1 thread"), s.devices());
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
        assertCounts(s, 4, 3, 1, 6);
        assertEquals(List.of("block2_pool", "predictions"), s.layers());
        for (Row r : spark.read().parquet(out).where("error IS NULL").collectAsList()) {
            assertEquals(r.getString(2).equals("predictions") ? 3 : 8, r.getList(3).size(), r.toString());
        }
    }

    static void assertCounts(EmbedJob.Summary s, long in, long embedded, long rejected, long vectors) {
        assertEquals(List.of(in, embedded, rejected, vectors), List.of(s.in(), s.embedded(), s.rejected(), s.vectors()),
                "in, embedded, rejected, vectors of " + s);
    }

    /** The same three pictures as {@code photos}, as entries of a zip archive (one in a sub-folder). */
    static Path zipOfPhotos(Path zip) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (String name : List.of("0.png", "1.png", "sub/2.png")) {
                z.putNextEntry(new ZipEntry("pics/" + name));
                z.write(Files.readAllBytes(photos.resolve(name)));
                z.closeEntry();
            }
        }
        return zip;
    }

    @Test
    void eachImageOfAZipArchiveIsEmbeddedAsTheSameFileInAFolderIs() throws IOException {
        Path zip = zipOfPhotos(tmp.resolve("photos.zip"));
        String fromZip = tmp.resolve("emb-zip").toString();
        ExecutorNetworks.get(random());
        int built = ExecutorNetworks.builds();
        EmbedJob.Summary s = new EmbedJob(spark).run(random(),
                new EmbedOptions(zip.toString(), List.of("conv3"), fromZip, 1_000_000, 2), null);
        assertEquals(built, ExecutorNetworks.builds(), "the job's tasks reuse the network this JVM already holds");

        assertCounts(s, 3, 3, 0, 3);
        assertEquals(List.of(), s.rejections());
        List<Row> rows = spark.read().parquet(fromZip).orderBy("origin").collectAsList();
        List<String> origins = rows.stream().map(r -> r.getString(1)).toList();
        for (int i = 0; i < 3; i++) {
            String entry = "photos.zip!/pics/" + List.of("0.png", "1.png", "sub/2.png").get(i);
            assertTrue(origins.get(i).endsWith(entry), "expected origin ..." + entry + ", got " + origins);
        }
        assertTrue(Files.notExists(Path.of(fromZip, Quarantine.DIRECTORY)), "nothing rejected, no quarantine");

        // An entry's id and vector are those of the same file read from a folder.
        String fromFolder = tmp.resolve("emb-folder").toString();
        new EmbedJob(spark).run(random(), new EmbedOptions(photos.toString(), List.of("conv3"), fromFolder, 1_000_000, 2),
                null);
        Map<String, List<Object>> byId = new java.util.HashMap<>();
        spark.read().parquet(fromFolder).where("error IS NULL").collectAsList()
                .forEach(r -> byId.put(r.getString(0), r.getList(3)));
        for (Row r : rows) {
            assertEquals(byId.get(r.getString(0)), r.getList(3), "vector of " + r.getString(1));
        }
    }

    @Test
    void aCorruptFileInAFolderIsRejectedWithItsReasonInTheQuarantineAndSummary() throws IOException {
        Path folder = tmp.resolve("with-corrupt");
        Files.createDirectories(folder);
        for (String name : List.of("0.png", "1.png", "sub/2.png")) {
            Files.copy(photos.resolve(name), folder.resolve(name.replace('/', '-')));
        }
        byte[] png = Files.readAllBytes(photos.resolve("1.png"));
        Files.write(folder.resolve("truncated.png"), java.util.Arrays.copyOf(png, png.length / 2));
        String out = tmp.resolve("emb-corrupt").toString();

        EmbedJob.Summary s = new EmbedJob(spark).run(random(),
                new EmbedOptions(folder.toString(), List.of("conv1", "conv3"), out, 1_000_000, 2), null);

        assertCounts(s, 4, 3, 1, 6);
        assertEquals(1, s.rejections().size(), s.toString());
        Quarantine.Rejection named = s.rejections().get(0);
        assertTrue(named.origin().endsWith("/truncated.png"), named.toString());
        assertTrue(named.reason().startsWith("corrupt or truncated"), named.toString());
        List<Row> quarantine = spark.read().parquet(Path.of(out, Quarantine.DIRECTORY).toString()).collectAsList();
        assertEquals(1, quarantine.size(), quarantine.toString());
        assertEquals(named.origin(), quarantine.get(0).getAs("origin"));
        assertEquals(named.reason(), quarantine.get(0).getAs("reason"));
        assertEquals((long) png.length / 2, (long) quarantine.get(0).<Long>getAs("size"));
        Map<?, ?> description = Json.MAPPER.readValue(Files.readAllBytes(Path.of(out, EmbedJob.DESCRIPTION)), Map.class);
        assertEquals(List.of(named.toString()), description.get("firstRejections"));
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
        assertTrue(e.getMessage().contains("needs vgg FILE.h5"), e.getMessage());
    }
}
