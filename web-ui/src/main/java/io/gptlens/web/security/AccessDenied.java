package io.gptlens.web.security;

/**
 * An action that needs the admin token was refused; the message names the action. Over REST
 * {@link Reason#MISSING} and {@link Reason#WRONG} answer 401, {@link Reason#DISABLED} 403.
 */
public final class AccessDenied extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the action was refused. */
    public enum Reason {
        /** No token was given. */
        MISSING,
        /** The token given is not the admin token. */
        WRONG,
        /** The action needs an admin token and none is configured. */
        DISABLED
    }

    private final Reason reason;

    AccessDenied(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Why the action was refused. */
    public Reason reason() {
        return reason;
    }
}
