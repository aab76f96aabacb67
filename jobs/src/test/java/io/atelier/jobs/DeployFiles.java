package io.atelier.jobs;

import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Reading the files under deploy/ and conf/ the way their consumers would, for the kit's tests. */
final class DeployFiles {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();

    private DeployFiles() {
    }

    static String read(String relative) {
        try {
            return Files.readString(ROOT.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A property of the root pom, e.g. spark.version. */
    static String pomProperty(String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(read("pom.xml"));
        assertTrue(m.find(), "pom.xml sets " + name);
        return m.group(1).trim();
    }

    /** A spark-defaults style file as Spark reads it (java.util.Properties). */
    static Properties sparkProperties(String relative) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(ROOT.resolve(relative))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(p.size() > 0, relative + " sets something");
        return p;
    }

    /** A Dockerfile's {@code ARG NAME=default}. */
    static String dockerArg(String dockerfile, String name) {
        Matcher m = Pattern.compile("(?m)^ARG " + Pattern.quote(name) + "=(\\S+)$").matcher(read(dockerfile));
        assertTrue(m.find(), dockerfile + " declares ARG " + name + "=...");
        return m.group(1);
    }

    /** The words of a shell command as the shell splits them: quotes, backslashes and line continuations. */
    static List<String> shellWords(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (quote == '"' && c == '\\' && i + 1 < command.length() && "\"\\$`".indexOf(command.charAt(i + 1)) >= 0) {
                    word.append(command.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\\' && i + 1 < command.length()) {
                char next = command.charAt(++i);
                if (next != '\n') {
                    word = word == null ? new StringBuilder() : word;
                    word.append(next);
                }
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                if (c == '\'' || c == '"') {
                    quote = c;
                } else {
                    word.append(c);
                }
            }
        }
        assertEquals(0, quote, "an unclosed quote in: " + command);
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * The Atelier command line a shell command hands to deploy/atelier-submit: the words after its
     * {@code --}, up to a redirection or the next command.
     */
    static List<String> atelierSubmitArguments(String command, String where) {
        List<String> words = shellWords(command);
        int submit = -1;
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).endsWith("deploy/atelier-submit")) {
                submit = i;
                break;
            }
        }
        assertTrue(submit >= 0, where + " runs deploy/atelier-submit: " + words);
        int dashes = words.subList(submit, words.size()).indexOf("--");
        assertTrue(dashes > 0, where + ": deploy/atelier-submit's options end with -- before the command: " + words);
        List<String> args = new ArrayList<>();
        for (String w : words.subList(submit + dashes + 1, words.size())) {
            if (w.startsWith(">") || w.startsWith("2>") || w.startsWith("1>") || List.of("&&", "||", ";", "|").contains(w)) {
                break;
            }
            args.add(w);
        }
        return args;
    }

    /**
     * Parses {@code args} with the CLI's own picocli command line, as a run would before executing,
     * and returns the subcommand's name; an unknown flag or a malformed value fails the test.
     */
    static String parseAtelier(List<String> args, String where) {
        assertTrue(!args.isEmpty(), where + " gives an Atelier command");
        String[] a = args.toArray(String[]::new);
        try {
            CommandLine.ParseResult parsed = AtelierCli.commandLine(a).parseArgs(a);
            assertTrue(parsed.hasSubcommand(), where + ": " + args + " names no command");
            assertTrue(parsed.subcommand().unmatched().isEmpty(), where + ": unmatched " + parsed.subcommand().unmatched());
            return parsed.subcommand().commandSpec().name();
        } catch (CommandLine.ParameterException e) {
            return fail(where + ": " + args + " is not a valid Atelier command line: " + e.getMessage());
        }
    }
}
