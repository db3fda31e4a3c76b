package io.gptlens.web.models;

/**
 * What a model's services (the registry, the explorer, the internals) refuse, with the reason in
 * words. Only the REST layer maps the {@link Kind} to an HTTP status; views show the message.
 */
public final class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the request cannot be served. */
    public enum Kind {
        /** A value is malformed or out of range, or a file is not there. */
        INVALID,
        /** The model it names is not loaded (any more). */
        NOT_FOUND,
        /** Another model already holds the id. */
        CONFLICT,
        /** The request is valid, but this model cannot do it (a vocabulary only, tied matrices, no attention to capture). */
        UNSUPPORTED,
        /** The file was read but is no model GPTLens can use. */
        UNREADABLE,
        /** Not yet: an index still building, no free slot. Asking again later may work. */
        BUSY,
        /** Refused by policy (a path outside the allowed folders). */
        REFUSED
    }

    private final Kind kind;

    public ModelException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ModelException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** Why. */
    public Kind kind() {
        return kind;
    }
}
