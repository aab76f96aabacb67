package io.atelier.common.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atelier.common.io.Json;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The classifier file's format number: the shipped files (written before it existed) read as
 * format 1, a rewrite records it, and a newer one is refused by name before its network is read.
 */
class ClassifierModelFormatTest {
    static final Path SHIPPED = Path.of(System.getProperty("atelier.repo.root", ".."), "data/models/fashion-mnist-classifier.zip");

    private static JsonNode info(byte[] zip) throws IOException {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(ClassifierModel.INFO_ENTRY)) {
                    return Json.MAPPER.readTree(in.readAllBytes());
                }
            }
        }
        throw new AssertionError("no " + ClassifierModel.INFO_ENTRY);
    }

    /** The zip with its info entry changed by {@code edit} and every other entry copied. */
    private static byte[] withInfo(byte[] zip, UnaryOperator<ObjectNode> edit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
             ZipOutputStream z = new ZipOutputStream(out)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                z.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().equals(ClassifierModel.INFO_ENTRY)) {
                    ObjectNode json = edit.apply((ObjectNode) Json.MAPPER.readTree(in.readAllBytes()));
                    z.write(Json.pretty(json).getBytes(StandardCharsets.UTF_8));
                } else {
                    in.transferTo(z);
                }
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void theShippedFileHasNoFormatAndReadsAsFormatOneAndARewriteRecordsIt() throws IOException {
        byte[] shipped = Files.readAllBytes(SHIPPED);
        assertFalse(info(shipped).has("format"), "written before the format was recorded");
        ClassifierModel model = ClassifierModel.fromBytes(shipped, SHIPPED.toString());
        assertEquals(10, model.info().classNames().size());

        byte[] rewritten = ClassifierModel.toBytes(model.network(), model.info());
        assertEquals(ClassifierModel.FORMAT, info(rewritten).path("format").asInt(-1));
        assertEquals(model.info(), ClassifierModel.fromBytes(rewritten, "rewritten").info(), "the info round trips");
    }

    @Test
    void aClassifierOfANewerFormatIsRefusedInOneLineNamingTheFile() throws IOException {
        byte[] newer = withInfo(Files.readAllBytes(SHIPPED), json -> {
            json.put("format", ClassifierModel.FORMAT + 1);
            ((ObjectNode) json.path("provenance").path("versions")).put("atelier", "9.9.9");
            return json;
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassifierModel.fromBytes(newer, "models/newer.zip"));
        assertEquals("classifier models/newer.zip is in classifier format " + (ClassifierModel.FORMAT + 1)
                + ", written by a newer Atelier (9.9.9); this one reads format " + ClassifierModel.FORMAT
                + ": upgrade Atelier to use it", e.getMessage());
    }
}
