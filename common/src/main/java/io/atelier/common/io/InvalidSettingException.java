package io.atelier.common.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A setting that cannot be used as given. The message names settings as a library user writes
 * them (a record component, a {@code --config} JSON key: {@code localSteps}); its template marks
 * each name in braces, {@code "{localSteps} 0: use at least 1"}, so a command line can print its
 * own flag there instead ({@code --local-steps 0: use at least 1}) with {@link #message}.
 * Only a brace pair around one camelCase word marks a setting; any other text stays as written (a
 * helper given a setting's name by its caller may get text without one: it then names none).
 */
public class InvalidSettingException extends IllegalArgumentException {
    private static final Pattern NAME = Pattern.compile("\\{([a-z][A-Za-z0-9]*)}");

    private final String template;
    private final List<String> settings;

    /** @param template the message, each setting name in braces: {@code "{out}: give the run directory"} */
    public InvalidSettingException(String template) {
        this(template, null);
    }

    public InvalidSettingException(String template, Throwable cause) {
        super(render(template, UnaryOperator.identity()), cause);
        this.template = template;
        List<String> names = new ArrayList<>();
        Matcher m = NAME.matcher(template);
        while (m.find()) {
            if (!names.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        this.settings = Collections.unmodifiableList(names);
    }

    /** The settings the message refers to, in order of first mention. */
    public List<String> settings() {
        return settings;
    }

    /** The message as written, each setting name in braces; to be embedded in another's template. */
    public String template() {
        return template;
    }

    /** The message with each setting named by {@code nameOf} (a command line: its flag). */
    public String message(UnaryOperator<String> nameOf) {
        return render(template, nameOf);
    }

    /**
     * Any text that marks settings the same way (a {@link Setting}'s help naming another setting),
     * each named by {@code nameOf}.
     */
    public static String render(String template, UnaryOperator<String> nameOf) {
        return NAME.matcher(template).replaceAll(m -> Matcher.quoteReplacement(nameOf.apply(m.group(1))));
    }

    /**
     * The template of {@code e}'s message, to build on: an invalid setting's own template, any other
     * message as it reads.
     */
    public static String templateOf(Throwable e) {
        return e instanceof InvalidSettingException s ? s.template() : String.valueOf(e.getMessage());
    }
}
