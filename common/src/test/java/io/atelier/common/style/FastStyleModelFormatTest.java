package io.atelier.common.style;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** model.json's format: written, read when absent as format 1, and a newer one refused by name. */
class FastStyleModelFormatTest {
    @TempDir
    Path tmp;

    private final Configuration conf = new Configuration();

    private Path saved() {
        TransformerNet.Config c = new TransformerNet.Config(2, 1);
        new FastStyleModel("s", "sha", c, TransformerNet.initial(c, 1), Map.of()).save(tmp.toString(), conf);
        return tmp.resolve(FastStyleModel.JSON);
    }

    /** Rewrites model.json with {@code format} set, or removed when null. */
    private void rewrite(Path json, String format) throws IOException {
        ObjectNode node = (ObjectNode) Json.MAPPER.readTree(json.toFile());
        if (format == null) {
            node.remove("format");
        } else {
            node.put("format", format);
        }
        Files.writeString(json, Json.pretty(node));
        Files.deleteIfExists(json.resolveSibling("." + FastStyleModel.JSON + ".crc")); // Hadoop's checksum of the old text
    }

    @Test
    void aSavedModelRecordsItsFormatAndTheVersionsThatWroteIt() throws IOException {
        var json = Json.MAPPER.readTree(saved().toFile());
        assertEquals("atelier-fast-style/1", json.path("format").asText());
        assertTrue(json.path("versions").has("atelier"), json.toString());
    }

    @Test
    void aModelWithoutAFormatIsReadAsFormatOne() throws IOException {
        Path json = saved();
        rewrite(json, null);
        assertEquals(2, FastStyleModel.load(tmp.toString(), conf).config().channels());
    }

    @Test
    void aModelOfANewerFormatIsRefusedInOneLineNamingTheFile() throws IOException {
        Path json = saved();
        rewrite(json, "atelier-fast-style/2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FastStyleModel.load(tmp.toString(), conf));
        assertEquals("fast style model " + new org.apache.hadoop.fs.Path(tmp.toString(), FastStyleModel.JSON)
                + " is in format atelier-fast-style/2, written by a newer Atelier (" + io.atelier.common.Versions.atelier()
                + "); this one reads atelier-fast-style/1: upgrade Atelier to use it", e.getMessage());
    }

    @Test
    void aFileOfAnotherKindIsStillRefusedAsNotAFastStyleModel() throws IOException {
        Path json = saved();
        rewrite(json, "something-else/7");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FastStyleModel.load(tmp.toString(), conf));
        assertTrue(e.getMessage().endsWith("has format 'something-else/7', expected atelier-fast-style/1"), e.getMessage());
    }
}
