package io.gptlens.core.tokenizer;

/**
 * The kind of a vocabulary entry, as GGUF's {@code tokenizer.ggml.token_type} and llama.cpp's
 * token attributes describe it. {@link #ofGguf(long)} and {@link #ggufCode()} translate to and from
 * the GGUF codes (0 undefined, 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte).
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
    UNKNOWN;

    /**
     * The type of a GGUF {@code tokenizer.ggml.token_type} code; 0 (undefined) and codes this
     * enum does not know are read as {@link #NORMAL}, as llama.cpp's BPE tokenizer treats them.
     */
    public static TokenType ofGguf(long code) {
        return switch ((int) Math.min(Math.max(code, -1), 7)) {
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> NORMAL;
        };
    }

    /** This type's GGUF {@code tokenizer.ggml.token_type} code (1..6). */
    public int ggufCode() {
        return switch (this) {
            case NORMAL -> 1;
            case UNKNOWN -> 2;
            case CONTROL -> 3;
            case USER_DEFINED -> 4;
            case UNUSED -> 5;
            case BYTE -> 6;
        };
    }
}
