package io.gptlens.llamacpp;

/** llama.cpp's native libraries are missing, incompatible or failed to start; the message says what was tried and what to do. */
public final class LlamaLibraryException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public LlamaLibraryException(String message) {
        super(message);
    }

    public LlamaLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
