package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs every code cell of every notebook in notebooks/, in order, through JShell. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class NotebooksTest {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();

    @TestFactory
    Stream<DynamicTest> everyNotebookRunsCellByCell() throws IOException {
        List<Path> notebooks;
        try (Stream<Path> files = Files.list(ROOT.resolve("notebooks"))) {
            notebooks = files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertFalse(notebooks.isEmpty(), "notebooks/ holds no notebook");
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> run(nb)));
    }

    private static void run(Path notebook) throws IOException {
        JsonNode cells = new ObjectMapper().readTree(notebook.toFile()).get("cells");
        // In-process execution: the cells share this JVM's Spark module flags and class path.
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
            shell.eval("System.setProperty(\"atelier.repo.root\", \"" + ROOT.toString().replace("\\", "\\\\") + "\");");
            int index = 0;
            for (JsonNode cell : cells) {
                index++;
                if (!"code".equals(cell.get("cell_type").asText())) {
                    continue;
                }
                String last = evalCell(shell, source(cell), notebook.getFileName() + " cell " + index);
                if (last != null && last.equals("false")) {
                    fail(notebook.getFileName() + " cell " + index + " evaluated to false");
                }
            }
        }
    }

    /** Evaluates a cell snippet by snippet; returns the value of its last expression, if any. */
    private static String evalCell(JShell shell, String source, String where) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = source;
        String value = null;
        List<String> problems = new ArrayList<>();
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (!info.completeness().isComplete()) {
                fail(where + ": incomplete Java: " + remaining);
            }
            for (SnippetEvent event : shell.eval(info.source())) {
                if (event.status() == Snippet.Status.REJECTED) {
                    shell.diagnostics(event.snippet()).forEach(d -> problems.add(d.getMessage(null)));
                    fail(where + ": rejected `" + event.snippet().source().strip() + "`: " + problems);
                }
                if (event.exception() != null) {
                    fail(where + ": threw " + event.exception() + " in `" + event.snippet().source().strip() + "`");
                }
                value = event.value();
            }
            remaining = info.remaining();
        }
        assertTrue(problems.isEmpty(), where + ": " + problems);
        return value;
    }

    private static String source(JsonNode cell) {
        JsonNode src = cell.get("source");
        if (src.isArray()) {
            StringBuilder s = new StringBuilder();
            src.forEach(line -> s.append(line.asText()));
            return s.toString();
        }
        return src.asText();
    }
}
