package io.gptlens.web.completion;

/**
 * A completion that cannot be served, with the reason in words. The REST layer maps the
 * {@link Kind} to a status (400, 404); nothing else here knows HTTP.
 */
public final class CompletionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the request cannot be served. */
    public enum Kind {
        /** The request is malformed or a value is out of range. */
        INVALID,
        /** The model, template or stage it names does not exist (any more). */
        NOT_FOUND,
        /** The request is valid, but this model cannot do what it asks (no chat template, no generation). */
        UNSUPPORTED
    }

    private final Kind kind;

    public CompletionException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** Why. */
    public Kind kind() {
        return kind;
    }

    public static CompletionException invalid(String message) {
        return new CompletionException(Kind.INVALID, message);
    }
}
