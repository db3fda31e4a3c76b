package io.gptlens.web.training;

/** A training request that cannot be carried out; {@link #kind()} says why, the message says what to do. */
public class TrainingException extends RuntimeException {

    /** Why. */
    public enum Kind { NOT_FOUND, CONFLICT, INVALID }

    private final Kind kind;

    public TrainingException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
