package io.gptlens.web.plugins;

/** A plugin jar that cannot be installed or removed, with the reason in words; only the REST layer maps the {@link Kind} to HTTP. */
public final class PluginException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Kind {
        /** A malformed name or request. */
        INVALID,
        /** No such jar. */
        NOT_FOUND,
        /** A jar of that name is there already. */
        CONFLICT,
        /** Larger than the configured limit. */
        TOO_LARGE,
        /** Not a jar, or a jar that provides no plugin. */
        NOT_A_PLUGIN
    }

    private final Kind kind;

    public PluginException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
