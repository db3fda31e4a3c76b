package io.gptlens.core.plugin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Validated parameter values for one provider: every declared parameter has a value (the given
 * one or its default), of the declared type and within range. Immutable and thread-safe.
 */
public final class Params {

    private final String owner;
    private final Map<String, Object> values;

    private Params(String owner, Map<String, Object> values) {
        this.owner = owner;
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Checks {@code given} against {@code specs} and fills in defaults.
     *
     * @param owner the provider's name, for messages
     * @param given values by name: Numbers, Booleans or Strings (numbers given as strings are parsed); may be null
     * @throws IllegalArgumentException naming the parameter, the bad value and the allowed range or names
     */
    public static Params of(String owner, List<ParamSpec> specs, Map<String, ?> given) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, ?> in = given == null ? Map.of() : given;
        for (String key : in.keySet()) {
            if (specs.stream().noneMatch(s -> s.name().equals(key))) {
                throw new IllegalArgumentException("Unknown parameter '" + key + "' for " + owner + "; known: "
                        + specs.stream().map(ParamSpec::name).collect(Collectors.joining(", ", "[", "]")));
            }
        }
        for (ParamSpec s : specs) {
            Object v = in.containsKey(s.name()) && in.get(s.name()) != null ? in.get(s.name()) : s.defaultValue();
            out.put(s.name(), coerce(owner, s, v));
        }
        return new Params(owner, out);
    }

    /** Defaults only. */
    public static Params defaults(String owner, List<ParamSpec> specs) {
        return of(owner, specs, Map.of());
    }

    private static Object coerce(String owner, ParamSpec s, Object v) {
        String where = "Parameter '" + s.name() + "' of " + owner;
        return switch (s.type()) {
            case INT -> {
                long l;
                if (v instanceof Number n && (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
                        || n.doubleValue() == Math.rint(n.doubleValue()))) {
                    l = n.longValue();
                } else if (v instanceof String str) {
                    try {
                        l = Long.parseLong(str.trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(where + " must be an integer, got '" + str + "'");
                    }
                } else {
                    throw new IllegalArgumentException(where + " must be an integer, got " + v);
                }
                if (l < s.min() || l > s.max()) {
                    throw new IllegalArgumentException(where + " = " + l + " is outside [" + (long) s.min() + ", " + (long) s.max() + "]");
                }
                yield l;
            }
            case FLOAT -> {
                double d;
                if (v instanceof Number n) {
                    d = n.doubleValue();
                } else if (v instanceof String str) {
                    try {
                        d = Double.parseDouble(str.trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(where + " must be a number, got '" + str + "'");
                    }
                } else {
                    throw new IllegalArgumentException(where + " must be a number, got " + v);
                }
                if (Double.isNaN(d) || d < s.min() || d > s.max()) {
                    throw new IllegalArgumentException(where + " = " + d + " is outside [" + s.min() + ", " + s.max() + "]");
                }
                yield d;
            }
            case BOOL -> {
                if (v instanceof Boolean b) {
                    yield b;
                }
                if (v instanceof String str && (str.equalsIgnoreCase("true") || str.equalsIgnoreCase("false"))) {
                    yield Boolean.parseBoolean(str);
                }
                throw new IllegalArgumentException(where + " must be true or false, got " + v);
            }
            case STRING -> {
                if (v instanceof String str) {
                    yield str;
                }
                throw new IllegalArgumentException(where + " must be a string, got " + v);
            }
        };
    }

    /** An INT parameter's value. */
    public long getLong(String name) {
        return (Long) require(name);
    }

    /** An INT parameter's value, as an int (it is range-checked by its spec). */
    public int getInt(String name) {
        return Math.toIntExact(getLong(name));
    }

    /** A FLOAT parameter's value. */
    public double getDouble(String name) {
        return (Double) require(name);
    }

    /** A BOOL parameter's value. */
    public boolean getBool(String name) {
        return (Boolean) require(name);
    }

    /** A STRING parameter's value. */
    public String getString(String name) {
        return (String) require(name);
    }

    /** All values by name (unmodifiable). */
    public Map<String, Object> asMap() {
        return values;
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException(owner + " has no parameter '" + name + "'");
        }
        return v;
    }

    @Override
    public String toString() {
        return owner + values;
    }
}
