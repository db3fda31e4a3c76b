package io.gptlens.core.generation;

import io.gptlens.core.distribution.Candidates;

import io.gptlens.core.distribution.TopN;
import io.gptlens.core.tokenizer.Piece;

import java.util.List;

/**
 * What a generation reports, in order: one {@link PromptEvent}, then a {@link TokenEvent} per
 * generated token, then one {@link DoneEvent}. All values are immutable.
 */
public sealed interface GenerationEvent {

    /**
     * The prompt was tokenized and evaluated.
     *
     * @param tokens     prompt token ids
     * @param evalNanos  time spent evaluating the prompt
     */
    record PromptEvent(int[] tokens, long evalNanos) implements GenerationEvent {
        public PromptEvent {
            tokens = tokens.clone();
        }

        @Override
        public int[] tokens() {
            return tokens.clone();
        }
    }

    /**
     * One generated token.
     *
     * <p>Probabilities are those of the model's own distribution at this position (softmax of the
     * raw logits, temperature 1), before any sampler reshaped it, so they can be compared across
     * sampler settings; {@code sampledP} is the token's probability in the final distribution the
     * picker drew from.
     *
     * @param index        0-based index among generated tokens
     * @param position     position in the sequence
     * @param token        token id
     * @param piece        the token's bytes and display text
     * @param text         text that became final with this token (may be empty while a multi-byte
     *                     character or a possible stop string is incomplete)
     * @param logit        raw logit of the token
     * @param p            model probability of the token
     * @param logprob      natural log of {@code p}
     * @param sampledP     probability in the distribution the picker drew from (NaN if unknown)
     * @param alternatives the most probable tokens at this position, by model probability
     * @param nanos        time to produce this token (evaluate + sample)
     * @param logits       the raw logits the token was chosen from: the generation's own buffer,
     *                     valid only during the listener's call (the next token overwrites it);
     *                     copy it to keep it, and do not modify it
     * @param forced       true if the token was forced ({@link GenerationRequest#forced()}), not sampled
     * @param end          true if the token ends generation (EOS, EOT); its {@code text} is empty
     * @param sampled      the candidates the picker drew from, after every stage of the chain (their
     *                     probabilities are valid when {@link Candidates#probabilitiesValid()}): the
     *                     generation's own set, valid only during the listener's call; null for a
     *                     forced token
     */
    record TokenEvent(int index, int position, int token, Piece piece, String text, float logit, double p, double logprob,
                      double sampledP, List<TopN.Entry> alternatives, long nanos, float[] logits, boolean forced, boolean end,
                      Candidates sampled)
            implements GenerationEvent {
        public TokenEvent {
            alternatives = List.copyOf(alternatives);
        }
    }

    /**
     * The generation ended.
     *
     * @param reason          why
     * @param text            the whole generated text (without a stop string)
     * @param tokens          generated token ids (including a final end-of-generation token if any)
     * @param promptTokens    number of prompt tokens
     * @param promptNanos     time to evaluate the prompt
     * @param generationNanos time spent generating
     */
    record DoneEvent(StopReason reason, String text, int[] tokens, int promptTokens, long promptNanos, long generationNanos)
            implements GenerationEvent {
        public DoneEvent {
            tokens = tokens.clone();
        }

        @Override
        public int[] tokens() {
            return tokens.clone();
        }

        /** Generated tokens per second (0 if none). */
        public double tokensPerSecond() {
            return generationNanos == 0 ? 0 : tokens.length * 1e9 / generationNanos;
        }
    }
}
