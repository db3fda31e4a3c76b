package io.gptlens.core.sampling;

/** A sampler stage failed or produced an invalid distribution; the message names the stage. */
public final class SamplerException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String stage;

    public SamplerException(String stage, String message) {
        this(stage, message, null);
    }

    public SamplerException(String stage, String message, Throwable cause) {
        super("Sampler '" + stage + "' " + message, cause);
        this.stage = stage;
    }

    /** The name of the failing stage. */
    public String stage() {
        return stage;
    }
}
