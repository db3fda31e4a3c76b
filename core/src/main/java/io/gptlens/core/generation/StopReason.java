package io.gptlens.core.generation;

/** Why a generation ended. */
public enum StopReason {
    /** {@code maxTokens} tokens were generated. */
    MAX_TOKENS,
    /** The model produced an end-of-generation token (EOS, EOT). */
    END_OF_GENERATION,
    /** A stop string appeared. */
    STOP_STRING,
    /** The caller cancelled. */
    CANCELLED,
    /** The session's context is full. */
    CONTEXT_FULL;

    /** The OpenAI {@code finish_reason}: "length" or "stop". */
    public String finishReason() {
        return this == MAX_TOKENS || this == CONTEXT_FULL ? "length" : "stop";
    }
}
