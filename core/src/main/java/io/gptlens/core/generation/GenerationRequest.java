package io.gptlens.core.generation;

import java.util.List;
import java.util.Objects;

/**
 * What to generate.
 *
 * @param prompt       the prompt text
 * @param maxTokens    stop after this many generated tokens (>= 0)
 * @param stop         stop strings: generation ends before the first occurrence of any (never included in the text)
 * @param addSpecial   let the tokenizer add its special tokens (e.g. BOS) to the prompt (default true)
 * @param parseSpecial recognise special tokens written in the prompt (default true, as llama-server does)
 * @param topN         alternatives to report per generated token (0..100)
 * @param sequence     the session sequence to use; it is cleared first (default 0)
 */
public record GenerationRequest(String prompt, int maxTokens, List<String> stop, boolean addSpecial, boolean parseSpecial,
                                int topN, int sequence) {

    /** Largest {@code topN} accepted. */
    public static final int MAX_TOP_N = 100;

    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        stop = List.copyOf(stop);
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
        }
        if (topN < 0 || topN > MAX_TOP_N) {
            throw new IllegalArgumentException("top N must be in [0, " + MAX_TOP_N + "], got " + topN);
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty");
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
        }
    }

    /** A request with defaults: no stop strings, BOS added, specials parsed, 5 alternatives, sequence 0. */
    public static GenerationRequest of(String prompt, int maxTokens) {
        return new GenerationRequest(prompt, maxTokens, List.of(), true, true, 5, 0);
    }

    public GenerationRequest withStop(List<String> s) {
        return new GenerationRequest(prompt, maxTokens, s, addSpecial, parseSpecial, topN, sequence);
    }

    public GenerationRequest withTopN(int n) {
        return new GenerationRequest(prompt, maxTokens, stop, addSpecial, parseSpecial, n, sequence);
    }
}
