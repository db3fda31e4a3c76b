package io.gptlens.core.tokenizer;

/**
 * The kind of a vocabulary entry, as GGUF's {@code tokenizer.ggml.token_type} and llama.cpp's
 * token attributes describe it.
 */
public enum TokenType {
    /** Ordinary text. */
    NORMAL,
    /** A control token such as BOS, EOS or a chat-template marker; not text. */
    CONTROL,
    /** A single raw byte, written like {@code <0x0A>}. */
    BYTE,
    /** A token added by the model's authors that is matched as literal text. */
    USER_DEFINED,
    /** A reserved slot that is never produced. */
    UNUSED,
    /** The unknown-token placeholder. */
    UNKNOWN
}
