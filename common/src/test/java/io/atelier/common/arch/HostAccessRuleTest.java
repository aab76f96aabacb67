package io.atelier.common.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Network code runs as backend ops so it works on any device: outside {@code nn/HostArrays},
 * no class in {@code nn}, a model family or the engine's step loop reaches into a tensor's host
 * memory. A source scan (comments and strings removed) keeps it that way as code is added.
 */
class HostAccessRuleTest {
    private static final Path SOURCES = Path.of("src/main/java/io/atelier/common");
    private static final List<Path> SCANNED = List.of(
            SOURCES.resolve("nn"), SOURCES.resolve("families"), SOURCES.resolve("train/LocalSteps.java"));
    private static final Path THE_ONE_PLACE = SOURCES.resolve("nn/HostArrays.java");
    /** Ways to reach host memory: NIO views of a buffer, element reads and writes, copies to Java arrays. */
    private static final Pattern HOST_ACCESS = Pattern.compile(
            "\\bFloatBuffer\\b|\\bByteBuffer\\b|\\basNio\\w*\\(|\\.data\\(\\)\\s*\\.\\s*(as|set|put|get|pointer|address)\\w*\\(|\\bfloatsOf\\(|\\.floats\\(\\)|\\bputScalar\\("
                    + "|\\.getFloat\\(|\\.getDouble\\((?!0\\))|\\.toFloatVector\\(|\\.toFloatMatrix\\(|\\.toDoubleVector\\("
                    + "|\\.toDoubleMatrix\\(|\\.toIntVector\\(");
    private static final Pattern COMMENTS_AND_STRINGS = Pattern.compile(
            "//[^\\n]*|/\\*(?s:.*?)\\*/|\"(?:\\\\.|[^\"\\\\])*\"");

    @Test
    void networkCodeTouchesHostMemoryOnlyThroughHostArrays() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        for (Path root : SCANNED) {
            assertTrue(Files.exists(root), root + " is gone: update the scanned paths");
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : (Iterable<Path>) paths.filter(f -> f.toString().endsWith(".java"))::iterator) {
                    files++;
                    if (p.equals(THE_ONE_PLACE)) {
                        continue;
                    }
                    found.addAll(violations(p, Files.readString(p)));
                }
            }
        }
        assertTrue(files > 30, "scanned only " + files + " files: the paths are wrong");
        assertTrue(found.isEmpty(), "host memory reached outside nn/HostArrays (copy through it, or express the loop as ops):\n"
                + String.join("\n", found));
    }

    @Test
    void theScanSeesEachKindOfAccessAndIgnoresCommentsAndStrings() {
        String code = "class X { // FloatBuffer in a comment\n"
                + "  String s = \"a .data() in a string\";\n"
                + "  /* asNio() in a block */ void f(INDArray a) { float v = a.getFloat(3); a.putScalar(1, v);"
                + " double d = a.sumNumber().doubleValue() + a.getDouble(0); var b = a.data().asFloat(); var c = settings.data(); }\n}";
        List<String> found = violations(Path.of("X.java"), code);
        assertEquals(3, found.size(), found.toString());
        assertTrue(found.get(0).contains("X.java:3") && found.get(0).contains("getFloat"), found.toString());
    }

    private static List<String> violations(Path file, String source) {
        String code = blankOut(source);
        List<String> out = new ArrayList<>();
        Matcher m = HOST_ACCESS.matcher(code);
        while (m.find()) {
            int line = 1 + (int) code.substring(0, m.start()).chars().filter(c -> c == '\n').count();
            out.add(file + ":" + line + " " + m.group());
        }
        return out;
    }

    /** Replaces comments and string literals by spaces, keeping line breaks so line numbers stay right. */
    private static String blankOut(String source) {
        Matcher m = COMMENTS_AND_STRINGS.matcher(source);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group().replaceAll("[^\\n]", " ")));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
