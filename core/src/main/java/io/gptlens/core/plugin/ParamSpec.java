package io.gptlens.core.plugin;

import java.util.Objects;

/**
 * The typed description of one parameter, from which a UI builds a form field and with which
 * {@link Params} validates values.
 *
 * @param name         the key, e.g. {@code "p"}
 * @param type         value type
 * @param min          smallest allowed value for numbers (inclusive), else ignored
 * @param max          largest allowed value for numbers (inclusive), else ignored
 * @param defaultValue the value used when none is given: a Long, Double, Boolean or String matching {@code type}
 * @param doc          one sentence for a tooltip, including what value disables the stage if any
 */
public record ParamSpec(String name, Type type, double min, double max, Object defaultValue, String doc) {

    /** Parameter value types. */
    public enum Type { INT, FLOAT, BOOL, STRING }

    public ParamSpec {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        Objects.requireNonNull(defaultValue, "default of " + name);
        Objects.requireNonNull(doc);
    }

    /** An integer parameter. */
    public static ParamSpec ofInt(String name, long min, long max, long defaultValue, String doc) {
        return new ParamSpec(name, Type.INT, min, max, defaultValue, doc);
    }

    /** A floating-point parameter. */
    public static ParamSpec ofFloat(String name, double min, double max, double defaultValue, String doc) {
        return new ParamSpec(name, Type.FLOAT, min, max, defaultValue, doc);
    }

    /** A boolean parameter. */
    public static ParamSpec ofBool(String name, boolean defaultValue, String doc) {
        return new ParamSpec(name, Type.BOOL, 0, 1, defaultValue, doc);
    }

    /** A string parameter (for lists, a comma-separated or JSON-like text documented in {@code doc}). */
    public static ParamSpec ofString(String name, String defaultValue, String doc) {
        return new ParamSpec(name, Type.STRING, 0, 0, defaultValue, doc);
    }
}
