package io.gptlens.web.completion;

import java.util.List;

/**
 * A token with its log-probability and the most probable alternatives at its position, from the
 * model's own distribution (softmax of the raw logits at temperature 1), and optionally from the
 * distribution the sampler chain left ({@code post_sampling_probs}).
 *
 * @param id          token id
 * @param text        its piece, special tokens written out
 * @param bytes       its bytes (a piece may be part of a UTF-8 character)
 * @param logprob     natural log of its probability; NaN for a prompt's first token, which nothing predicts
 * @param offset      where its text starts in the answer's text
 * @param top         the most probable tokens at its position, most probable first (empty for a prompt's first token)
 * @param sampledProb its probability after the sampler chain (NaN when not asked for or unknown)
 * @param sampledTop  the most probable tokens after the chain, with {@link Alternative#logprob} = log of that probability
 */
public record TokenLogprob(int id, String text, byte[] bytes, double logprob, int offset, List<Alternative> top, double sampledProb,
                           List<Alternative> sampledTop) {

    public TokenLogprob {
        bytes = bytes.clone();
        top = List.copyOf(top);
        sampledTop = List.copyOf(sampledTop);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * One alternative.
     *
     * @param id      token id
     * @param text    its piece, special tokens written out
     * @param bytes   its bytes
     * @param logprob natural log of its probability
     */
    public record Alternative(int id, String text, byte[] bytes, double logprob) {
        public Alternative {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }
}
