package io.atelier.common.io;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library names settings as its users write them ({@code {localSteps}} in an
 * {@link InvalidSettingException}, {@code {testData}} in a {@link Setting}'s help); the command line
 * turns them into its flags. This scan of the main sources' string literals fails on a new
 * {@code --flag} literal, except the few kept below, each for its reason.
 */
class NoCommandLineFlagsTest {
    private static final Path SOURCES = Path.of("src/main/java/io/atelier/common");
    private static final Pattern FLAG = Pattern.compile("--[a-z][a-z0-9-]*");

    /** File (under io/atelier/common) -> the flags its literals may keep, and why. */
    private static final Map<String, Kept> KEPT = Map.ofEntries(
            Map.entry("compute/GpuSettings.java", new Kept(Set.of("--query-gpu"), "nvidia-smi's own flag")),
            Map.entry("io/HadoopFiles.java", new Kept(Set.of("--packages"), "spark-submit's own flag")),
            Map.entry("catalog/CatalogItem.java", quarantined()),
            Map.entry("image/ImageDecoder.java", quarantined()),
            Map.entry("data/ingest/ImageIngestor.java", quarantined()),
            Map.entry("train/AveragingEngine.java", new Kept(Set.of("--resume", "--lr"),
                    "a diverged run's advice is a training failure, not an invalid setting, and has no template")),
            Map.entry("families/diffusion/DiffusionRun.java", new Kept(Set.of("--prompt"),
                    "a warning printed while sampling, not an error the command line prints")),
            Map.entry("scoring/TrainingEvaluation.java", new Kept(Set.of("--data"),
                    "how a domain's images are named is recorded in the translation scores and the report")),
            Map.entry("scoring/TranslationDomains.java", new Kept(Set.of("--data-a", "--data-b"),
                    "how a domain's images are named is recorded in the translation scores and the report")),
            Map.entry("scoring/TranslationScores.java", new Kept(Set.of("--real", "--classifier"),
                    "a domain's name and a skipped score's reason are recorded in the evaluation report")));

    record Kept(Set<String> flags, String reason) {
    }

    private static Kept quarantined() {
        return new Kept(Set.of("--max-pixels"), "a rejected image's reason is a row of the quarantine table, not an error");
    }

    @Test
    void messagesNameSettingsNotFlags() throws IOException {
        Map<String, Set<String>> found = new TreeMap<>();
        List<String> unexpected = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String name = SOURCES.relativize(file).toString().replace('\\', '/');
                for (Literal literal : literals(Files.readString(file))) {
                    Matcher m = FLAG.matcher(literal.text());
                    while (m.find()) {
                        found.computeIfAbsent(name, k -> new TreeSet<>()).add(m.group());
                        Kept kept = KEPT.get(name);
                        if (kept == null || !kept.flags().contains(m.group())) {
                            unexpected.add(name + ":" + literal.line() + " " + m.group() + " in \"" + literal.text() + "\"");
                        }
                    }
                }
            }
        }
        assertTrue(unexpected.isEmpty(), "name the setting in braces instead ({localSteps}, shown as --local-steps"
                + " by the command line), or keep the flag here with a reason: " + unexpected);
        List<String> stale = new ArrayList<>();
        KEPT.forEach((file, kept) -> kept.flags().stream()
                .filter(f -> !found.getOrDefault(file, Set.of()).contains(f)).forEach(f -> stale.add(file + " " + f)));
        assertTrue(stale.isEmpty(), "kept flags no longer in the sources; drop them from the list: " + stale);
    }

    @Test
    void theScanSeesLiteralsAndSkipsComments() {
        List<Literal> found = literals("""
                /* "--a" */ String s = "x --b \\" y"; // "--c"
                char q = '"'; String t = "--d";
                """);
        assertTrue(found.equals(List.of(new Literal("x --b \\\" y", 1), new Literal("--d", 2))), found.toString());
    }

    record Literal(String text, int line) {
    }

    /** The string literals of Java source, outside comments and character literals. */
    static List<Literal> literals(String src) {
        List<Literal> out = new ArrayList<>();
        int line = 1;
        for (int i = 0; i < src.length(); i++) {
            char c = src.charAt(i);
            if (c == '\n') {
                line++;
            } else if (src.startsWith("//", i)) {
                i = Math.max(src.indexOf('\n', i) - 1, i);
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                line += (int) src.substring(i, end).chars().filter(ch -> ch == '\n').count();
                i = end + 1;
            } else if (c == '\'') {
                i = src.indexOf('\'', src.charAt(i + 1) == '\\' ? i + 3 : i + 2);
            } else if (c == '"') {
                int j = i + 1;
                while (src.charAt(j) != '"') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                out.add(new Literal(src.substring(i + 1, j), line));
                i = j;
            }
        }
        return out;
    }
}
