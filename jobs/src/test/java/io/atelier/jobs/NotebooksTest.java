package io.atelier.jobs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atelier.common.image.PngImage;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every code cell of every notebook in notebooks/, in order, through JShell, and checks that
 * each notebook stores the outputs its cells make. With {@code -Datelier.notebooks.store=true} it
 * writes those outputs into the .ipynb files instead (nbformat 4): what a cell printed as a
 * {@code stream}, its last expression's value as an {@code execute_result}, and every expression
 * that is a {@link PngImage} as an {@code image/png} {@code display_data}.
 */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class NotebooksTest {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();
    static final boolean STORE = Boolean.getBoolean("atelier.notebooks.store");
    /** Runs (or stores) only the notebooks whose file name starts with one of these, e.g. {@code -Datelier.notebooks=02,05}. */
    static final List<String> ONLY = List.of(System.getProperty("atelier.notebooks", "").split(","));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @TestFactory
    Stream<DynamicTest> everyNotebookRunsCellByCell() throws IOException {
        List<Path> notebooks;
        try (Stream<Path> files = Files.list(ROOT.resolve("notebooks"))) {
            notebooks = files.filter(f -> f.toString().endsWith(".ipynb"))
                    .filter(f -> ONLY.stream().anyMatch(f.getFileName().toString()::startsWith)).sorted().toList();
        }
        assertFalse(notebooks.isEmpty(), "notebooks/ holds no notebook" + (ONLY.equals(List.of("")) ? "" : " starting with one of " + ONLY));
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> run(nb)));
    }

    private static void run(Path notebook) throws IOException {
        String name = notebook.getFileName().toString();
        ObjectNode doc = (ObjectNode) JSON.readTree(notebook.toFile());
        List<ObjectNode> code = new ArrayList<>();
        doc.get("cells").forEach(cell -> {
            if ("code".equals(cell.get("cell_type").asText())) {
                code.add((ObjectNode) cell);
            }
        });
        if (!STORE) {
            for (int i = 0; i < code.size(); i++) {
                if (!code.get(i).path("execution_count").isInt()) {
                    fail(name + " code cell " + (i + 1) + " has no stored outputs: store them with mvn -pl common,jobs -am "
                            + "test -Dtest=NotebooksTest -Dsurefire.failIfNoSpecifiedTests=false -Datelier.notebooks.store=true");
                }
            }
        }
        List<ArrayNode> outputs = new ArrayList<>();
        long started = System.nanoTime();
        // In-process execution: the cells share this JVM's Spark module flags and class path.
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
            shell.eval("System.setProperty(\"atelier.repo.root\", \"" + ROOT.toString().replace("\\", "\\\\") + "\");");
            for (int i = 0; i < code.size(); i++) {
                ArrayNode out = evalCell(shell, source(code.get(i)), name + " code cell " + (i + 1), i + 1);
                requireNoMachinePaths(out, name + " code cell " + (i + 1));
                outputs.add(out);
            }
        }
        System.out.printf("%s: %d code cells in %.1f s%n", name, code.size(), (System.nanoTime() - started) / 1e9);
        if (STORE) {
            store(notebook, doc, code, outputs);
            return;
        }
        for (int i = 0; i < code.size(); i++) {
            // Kinds, not text: timings and last digits may differ between machines, a stale output's shape does not.
            assertEquals(kinds(outputs.get(i)), kinds((ArrayNode) code.get(i).get("outputs")),
                    name + " code cell " + (i + 1) + ": its stored outputs are not the ones it makes now; store them again "
                            + "with -Datelier.notebooks.store=true");
        }
    }

    /** Evaluates a cell snippet by snippet, capturing what it prints; returns its nbformat outputs. */
    private static ArrayNode evalCell(JShell shell, String source, String where, int count) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        ArrayNode outputs = NODES.arrayNode();
        String remaining = source;
        ObjectNode result = null;
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            while (!remaining.isBlank()) {
                SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
                if (!info.completeness().isComplete()) {
                    fail(where + ": incomplete Java: " + remaining);
                }
                for (SnippetEvent event : shell.eval(info.source())) {
                    if (event.status() == Snippet.Status.REJECTED) {
                        List<String> problems = shell.diagnostics(event.snippet()).map(d -> d.getMessage(null)).toList();
                        fail(where + ": rejected `" + event.snippet().source().strip() + "`: " + problems);
                    }
                    if (event.exception() != null) {
                        fail(where + ": threw " + event.exception() + " in `" + event.snippet().source().strip() + "`");
                    }
                    if (event.causeSnippet() != null) {
                        continue; // an update of an earlier snippet, not this one's value
                    }
                    flush(printed, outputs);
                    result = null;
                    String type = valueType(event.snippet());
                    if (type != null && event.value() != null) {
                        if (type.endsWith(PngImage.class.getSimpleName())) {
                            outputs.add(image(shell, event.snippet(), event.value(), where));
                        } else {
                            result = textOutput("execute_result", event.value(), count);
                        }
                    }
                }
                remaining = info.remaining();
            }
        } finally {
            System.setOut(console);
        }
        flush(printed, outputs);
        if (result != null) {
            if ("false".equals(result.at("/data/text~1plain/0").asText())) {
                fail(where + " evaluated to false");
            }
            outputs.add(result);
        }
        return outputs;
    }

    /**
     * The type of an expression's value, or null for a declaration or statement. JShell keeps a bare
     * name or assignment as an expression snippet and gives any other expression a temporary variable.
     */
    private static String valueType(Snippet snippet) {
        String type = null;
        if (snippet instanceof ExpressionSnippet e) {
            type = e.typeName();
        } else if (snippet instanceof VarSnippet v && v.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
            type = v.typeName();
        }
        return "void".equals(type) ? null : type;
    }

    /** What the cell printed since the last snippet, as (part of) its stdout stream. */
    private static void flush(ByteArrayOutputStream printed, ArrayNode outputs) {
        if (printed.size() == 0) {
            return;
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        printed.reset();
        JsonNode last = outputs.isEmpty() ? null : outputs.get(outputs.size() - 1);
        if (last != null && "stream".equals(last.get("output_type").asText())) {
            text = joined(last.get("text")) + text;
            outputs.remove(outputs.size() - 1);
        }
        ObjectNode stream = NODES.objectNode().put("name", "stdout").put("output_type", "stream");
        stream.set("text", lines(text));
        outputs.add(stream);
    }

    private static ObjectNode image(JShell shell, Snippet e, String summary, String where) {
        String name = e instanceof VarSnippet v ? v.name() : ((ExpressionSnippet) e).name();
        List<SnippetEvent> events = shell.eval("java.util.Base64.getEncoder().encodeToString(" + name + ".bytes())");
        String quoted = events.get(0).value();
        if (quoted == null || quoted.length() < 2) {
            fail(where + ": could not read the bytes of the image `" + e.source().strip() + "`");
        }
        ObjectNode data = NODES.objectNode().put("image/png", quoted.substring(1, quoted.length() - 1));
        data.set("text/plain", lines(summary));
        ObjectNode display = NODES.objectNode();
        display.set("data", data);
        display.set("metadata", NODES.objectNode());
        display.put("output_type", "display_data");
        return display;
    }

    private static ObjectNode textOutput(String type, String text, int count) {
        ObjectNode data = NODES.objectNode();
        data.set("text/plain", lines(text));
        ObjectNode out = NODES.objectNode();
        out.set("data", data);
        out.put("execution_count", count);
        out.set("metadata", NODES.objectNode());
        out.put("output_type", type);
        return out;
    }

    /** Stored outputs are read by anyone: no temporary directory, checkout or home of the machine that made them. */
    private static void requireNoMachinePaths(ArrayNode outputs, String where) {
        String text = outputs.toString();
        for (String path : List.of(System.getProperty("java.io.tmpdir"), ROOT.toString(), System.getProperty("user.home"))) {
            if (path.length() > 1 && text.contains(path)) {
                fail(where + ": output names the local path " + path + "; print paths relative to the run or dataset instead");
            }
        }
    }

    private static void store(Path notebook, ObjectNode doc, List<ObjectNode> code, List<ArrayNode> outputs) throws IOException {
        for (int i = 0; i < code.size(); i++) {
            code.get(i).put("execution_count", i + 1);
            code.get(i).set("outputs", outputs.get(i));
        }
        int n = 0;
        for (JsonNode cell : doc.get("cells")) {
            n++;
            if (!cell.has("id")) {
                ((ObjectNode) cell).put("id", "cell-" + n); // nbformat 4.5 wants an id per cell
            }
        }
        Files.writeString(notebook, JSON.writer(new JupyterLayout()).writeValueAsString(doc) + "\n");
    }

    /** Jupyter's own JSON layout (one-space indent, {@code "key": value}, {@code []}), so a notebook saved from Jupyter diffs small. */
    private static final class JupyterLayout extends DefaultPrettyPrinter {
        JupyterLayout() {
            _objectIndenter = new DefaultIndenter(" ", "\n");
            _arrayIndenter = _objectIndenter;
            _objectFieldValueSeparatorWithSpaces = ": ";
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new JupyterLayout();
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            if (entries > 0) {
                super.writeEndObject(g, entries);
            } else {
                _nesting--;
                g.writeRaw('}');
            }
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            if (values > 0) {
                super.writeEndArray(g, values);
            } else {
                _nesting--;
                g.writeRaw(']');
            }
        }
    }

    private static List<String> kinds(ArrayNode outputs) {
        List<String> kinds = new ArrayList<>();
        outputs.forEach(o -> kinds.add(o.get("output_type").asText()));
        return kinds;
    }

    private static ArrayNode lines(String text) {
        ArrayNode lines = NODES.arrayNode();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end + 1;
            lines.add(text.substring(start, end));
            start = end;
        }
        return lines;
    }

    private static String joined(JsonNode text) {
        if (!text.isArray()) {
            return text.asText();
        }
        StringBuilder s = new StringBuilder();
        text.forEach(line -> s.append(line.asText()));
        return s.toString();
    }

    private static String source(JsonNode cell) {
        return joined(cell.get("source"));
    }
}
