package io.gptlens.web.completion;

import io.gptlens.core.generation.StopReason;
import io.gptlens.core.sampling.StageSpec;

import java.util.List;

/**
 * A finished completion, in no API's shape.
 *
 * @param model          the model's id
 * @param prompt         the prompt as text (a chat: its rendered template; token ids: their decoded text)
 * @param promptTokens   the prompt's token ids
 * @param text           the generated text (without a stop string)
 * @param tokens         the generated token ids (an end-of-generation token included)
 * @param reason         why it ended
 * @param stopWord       the stop string that ended it, or null
 * @param promptLogprobs the prompt's own tokens scored ({@code echo} with logprobs), else empty
 * @param logprobs       one entry per generated token with text when logprobs were asked for, else empty
 * @param timings        how long it took
 * @param seed           the seed the chain ran with (a random one resolved)
 * @param chain          the stages that ran
 * @param chainText      the chain as its runner describes it
 * @param runtime        {@link Sampling#JAVA} or {@link Sampling#NATIVE}
 * @param contextLength  tokens of context the session had
 */
public record Completion(String model, String prompt, int[] promptTokens, String text, int[] tokens, StopReason reason, String stopWord,
                         List<TokenLogprob> promptLogprobs, List<TokenLogprob> logprobs, Timings timings, long seed, List<StageSpec> chain,
                         String chainText, String runtime, int contextLength) {

    public Completion {
        promptTokens = promptTokens.clone();
        tokens = tokens.clone();
        promptLogprobs = List.copyOf(promptLogprobs);
        logprobs = List.copyOf(logprobs);
        chain = List.copyOf(chain);
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** Generated tokens, an end-of-generation token not counted (what {@code usage.completion_tokens} says). */
    public int completionTokens() {
        return tokens.length;
    }

    /**
     * Timings, llama-server's {@code timings} in milliseconds.
     *
     * @param promptN     prompt tokens evaluated
     * @param promptMs    milliseconds evaluating them
     * @param predictedN  tokens generated
     * @param predictedMs milliseconds generating them
     */
    public record Timings(int promptN, double promptMs, int predictedN, double predictedMs) {
    }

    /**
     * Text that became final while generating, for a stream.
     *
     * @param text    the new text (may be empty while a character or a possible stop string is incomplete)
     * @param token   the token that made it final, or -1 for text held back until the end
     * @param logprob the token's entry when logprobs were asked for, else null
     * @param echoed  with {@code echo}, once before any generated text: the prompt's scored tokens
     *                (their {@code text} is the prompt); else empty
     */
    public record Delta(String text, int token, TokenLogprob logprob, List<TokenLogprob> echoed) {
        public Delta {
            echoed = List.copyOf(echoed);
        }

        /** Generated text. */
        public Delta(String text, int token, TokenLogprob logprob) {
            this(text, token, logprob, List.of());
        }
    }
}
