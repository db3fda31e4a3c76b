package io.gptlens.web.api;

/** A request that cannot be served; becomes {@code {"error": {"message": ...}}} with this HTTP status. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }
}
