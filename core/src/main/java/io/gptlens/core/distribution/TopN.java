package io.gptlens.core.distribution;

import io.gptlens.core.simd.TopK;

import java.util.ArrayList;
import java.util.List;

/**
 * The N most probable tokens of a distribution, without sorting the whole vocabulary
 * (a bounded heap: O(V log N)). Stateless and thread-safe.
 */
public final class TopN {

    /**
     * One entry.
     *
     * @param id      token id
     * @param logit   raw logit
     * @param p       probability (0..1)
     * @param logprob natural log of p
     */
    public record Entry(int id, float logit, double p, double logprob) {
    }

    private TopN() {
    }

    /**
     * The {@code n} largest probabilities, descending (ties: lower id first).
     *
     * @param logits raw logits
     * @param probs  probabilities of the same tokens (e.g. from {@link Softmax#probabilities})
     * @param logprobs natural-log probabilities of the same tokens, or null to take {@code log(p)}
     */
    public static List<Entry> of(float[] logits, double[] probs, double[] logprobs, int n) {
        if (logits.length != probs.length) {
            throw new IllegalArgumentException("logits and probabilities differ in length: " + logits.length + " vs " + probs.length);
        }
        List<Entry> out = new ArrayList<>();
        for (int i : indices(logits, n)) {
            out.add(new Entry(i, logits[i], probs[i], logprobs != null ? logprobs[i] : Math.log(probs[i])));
        }
        return out;
    }

    /** Indices of the {@code n} largest logits, descending (ties: lower index first). */
    private static int[] indices(float[] logits, int n) {
        int k = Math.max(0, Math.min(n, logits.length));
        if (k == 0) {
            return new int[0];
        }
        TopK best = new TopK(k);
        best.scan(logits, 0, logits.length);
        int[] out = new int[best.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = best.id(j);
        }
        return out;
    }

    /**
     * The {@code n} most probable tokens at temperature 1, with probabilities from
     * {@link Softmax#logSumExp}: {@code logprob = logit - logSumExp}.
     */
    public static List<Entry> of(float[] logits, double logSumExp, int n) {
        List<Entry> out = new ArrayList<>();
        for (int i : indices(logits, n)) {
            double lp = logits[i] - logSumExp;
            out.add(new Entry(i, logits[i], Math.exp(lp), lp));
        }
        return out;
    }

    /** Rank (1-based) of {@code token} by logit among all tokens: 1 + number of tokens with a larger logit. */
    public static int rank(float[] logits, int token) {
        int r = 1;
        float l = logits[token];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] > l || (logits[i] == l && i < token)) {
                r++;
            }
        }
        return r;
    }
}
