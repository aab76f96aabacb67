package io.atelier.common.io;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The help of one setting of a settings record, written once beside the setting: the command
 * line's help and flags are generated from the record's components and its defaults, so neither
 * a default nor a description is written twice.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Setting {
    /**
     * One sentence: what the setting does (its default is added from the record's defaults). Another
     * setting is named in braces, {@code {testData}}, and shown as its flag in command-line help.
     */
    String value();

    /** The placeholder of the value in help ({@code N}, {@code LR}, ...); empty for switches. */
    String label() default "";

    /**
     * For a list: how many values one flag takes, as picocli writes it ({@code "1..*"}: {@code --input
     * a b c}); empty for one comma-separated value per flag ({@code --layer a,b}).
     */
    String arity() default "";
}
