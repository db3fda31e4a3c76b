package io.gptlens.core.generation;

import io.gptlens.core.distribution.LogitSummary;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores a text the model did not write: the log-probability of each token given the ones before
 * it, from the model's own distribution (softmax of the raw logits, temperature 1). This is what
 * {@code echo} with {@code logprobs} answers, what log-likelihood evaluations (lm-evaluation-harness)
 * ask for, and the playground's surprise colouring.
 *
 * <p>The tokens are evaluated once, in chunks of at most {@link #CHUNK} with logits for every
 * position, so the backend's output buffer stays at {@code CHUNK × n_vocab} floats whatever the
 * prompt's length. Stateless; the session is used from the calling thread and its sequence is
 * cleared first.
 */
public final class PromptScorer {

    /** Positions evaluated per batch with all outputs (64 × 151,936 floats = 39 MB of logits at most). */
    public static final int CHUNK = 64;

    private PromptScorer() {
    }

    /**
     * One scored token.
     *
     * @param position     its position in the text (0-based)
     * @param token        its id
     * @param logprob      natural log of its probability given the tokens before it; NaN for the
     *                     first token, which nothing predicts
     * @param rank         1 + the number of tokens the model found more probable; 0 for the first token
     * @param alternatives the most probable tokens at this position (empty for the first token)
     */
    public record TokenScore(int position, int token, double logprob, int rank, List<TopN.Entry> alternatives) {
        public TokenScore {
            alternatives = List.copyOf(alternatives);
        }
    }

    /**
     * A scored text.
     *
     * @param tokens the scores, one per token, in order
     */
    public record Scored(List<TokenScore> tokens) {
        public Scored {
            tokens = List.copyOf(tokens);
        }

        /** Sum of the log-probabilities of every token but the first (natural log). */
        public double logLikelihood() {
            return tokens.stream().skip(1).mapToDouble(TokenScore::logprob).sum();
        }

        /** {@code exp(-mean logprob)} over the predicted tokens; NaN for fewer than two tokens. */
        public double perplexity() {
            return tokens.size() < 2 ? Double.NaN : Math.exp(-logLikelihood() / (tokens.size() - 1));
        }
    }

    /**
     * Scores {@code tokens} in {@code sequence} of {@code session}, with the {@code topN} most
     * probable alternatives at each position.
     *
     * @throws IllegalArgumentException if {@code tokens} is empty, does not fit the context, or {@code topN} is outside [0, 100]
     * @throws java.util.concurrent.CancellationException if the session was cancelled meanwhile
     */
    public static Scored score(Session session, int[] tokens, int topN, int sequence) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("Nothing to score: the token list is empty");
        }
        if (tokens.length > session.contextLength()) {
            throw new IllegalArgumentException(tokens.length + " tokens do not fit the context of " + session.contextLength());
        }
        if (topN < 0 || topN > GenerationRequest.MAX_TOP_N) {
            throw new IllegalArgumentException("top N must be in [0, " + GenerationRequest.MAX_TOP_N + "], got " + topN);
        }
        session.removeTokens(sequence, -1, -1);
        List<TokenScore> out = new ArrayList<>(tokens.length);
        out.add(new TokenScore(0, tokens[0], Double.NaN, 0, List.of()));
        if (tokens.length == 1) {
            return new Scored(out);
        }
        int chunk = Math.min(CHUNK, session.batchSize());
        LogitSummary summary = new LogitSummary(Math.max(1, topN));
        float[] logits = null;
        // position p's logits predict token p + 1; the last token predicts nothing and needs no output
        for (int from = 0; from < tokens.length - 1; from += chunk) {
            int to = Math.min(tokens.length - 1, from + chunk);
            session.evaluate(Batch.allOutputs(Arrays.copyOfRange(tokens, from, to), from, sequence));
            for (int p = from; p < to; p++) {
                logits = logits == null ? session.logits(p - from) : session.logits(p - from, logits);
                summary.compute(logits, logits.length, topN);
                int next = tokens[p + 1];
                float own = logits[next];
                int rank = 1;
                for (float l : logits) {
                    if (l > own) {
                        rank++;
                    }
                }
                out.add(new TokenScore(p + 1, next, own - summary.logSumExp(), rank, topN > 0 ? summary.top(topN) : List.of()));
            }
        }
        return new Scored(out);
    }
}
