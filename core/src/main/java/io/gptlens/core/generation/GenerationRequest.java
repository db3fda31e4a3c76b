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
 * @param sequence     the session sequence to use; it is cleared first (default 0), unless the
 *                     generator works through a {@link SequenceCache}, which keeps what it can
 * @param promptTokens the prompt as token ids, used instead of tokenizing {@code prompt} (null: tokenize)
 * @param forced       tokens taken, in order, instead of sampling for the first generated positions
 *                     (a branch's chosen prefix); the chain still accepts them
 */
public record GenerationRequest(String prompt, int maxTokens, List<String> stop, boolean addSpecial, boolean parseSpecial,
                                int topN, int sequence, int[] promptTokens, int[] forced) {

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
        promptTokens = promptTokens == null ? null : promptTokens.clone();
        forced = forced == null ? new int[0] : forced.clone();
    }

    /** A request for a prompt given as text. */
    public GenerationRequest(String prompt, int maxTokens, List<String> stop, boolean addSpecial, boolean parseSpecial, int topN, int sequence) {
        this(prompt, maxTokens, stop, addSpecial, parseSpecial, topN, sequence, null, null);
    }

    /** A request for a prompt given as token ids, with defaults otherwise (see {@link #of}). */
    public static GenerationRequest ofTokens(int[] promptTokens, int maxTokens) {
        return new GenerationRequest("", maxTokens, List.of(), true, true, 5, 0, promptTokens, null);
    }

    @Override
    public int[] promptTokens() {
        return promptTokens == null ? null : promptTokens.clone();
    }

    @Override
    public int[] forced() {
        return forced.clone();
    }

    /** The same request with {@code tokens} forced at the first generated positions. */
    public GenerationRequest withForced(int[] tokens) {
        return new GenerationRequest(prompt, maxTokens, stop, addSpecial, parseSpecial, topN, sequence, promptTokens, tokens);
    }

    /** A request with defaults: no stop strings, BOS added, specials parsed, 5 alternatives, sequence 0. */
    public static GenerationRequest of(String prompt, int maxTokens) {
        return new GenerationRequest(prompt, maxTokens, List.of(), true, true, 5, 0);
    }

    public GenerationRequest withStop(List<String> s) {
        return new GenerationRequest(prompt, maxTokens, s, addSpecial, parseSpecial, topN, sequence, promptTokens, forced);
    }

    public GenerationRequest withTopN(int n) {
        return new GenerationRequest(prompt, maxTokens, stop, addSpecial, parseSpecial, n, sequence, promptTokens, forced);
    }
}
