package io.gptlens.core.distribution;

import io.gptlens.core.simd.Simd;
import io.gptlens.core.simd.TopK;

import java.util.ArrayList;
import java.util.List;

/**
 * What a generation needs from one row of logits besides the sampler chain, computed in one pass
 * over the vocabulary (blocks small enough to stay in the L1 cache): NaN check, maximum and argmax,
 * {@code log(sum exp)} (temperature 1) and the top N by logit. Reused from token to token, so a
 * 152k-token vocabulary costs no allocation per token.
 *
 * <p>Not thread-safe: one generation owns one instance.
 */
public final class LogitSummary {

    /** Values per block: 4,096 floats (16 KiB) are scanned for the top-N and summed while in L1. */
    private static final int BLOCK = 4096;

    private final int capacity;
    private final TopK top;
    private float max;
    private int argmax;
    private double logSumExp;
    private final LogSumExp lse = new LogSumExp();

    /** A summary that can hold up to {@code capacity} top entries. */
    public LogitSummary(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.top = new TopK(capacity);
    }

    /**
     * Summarises {@code logits[0, n)} with the {@code topN} largest logits (at least 1: the argmax).
     *
     * @return this
     * @throws IllegalArgumentException if the logits are empty, contain NaN or are all -infinity, or {@code topN > capacity}
     */
    public LogitSummary compute(float[] logits, int n, int topN) {
        if (n <= 0) {
            throw new IllegalArgumentException("No logits");
        }
        if (topN > capacity) {
            throw new IllegalArgumentException("top " + topN + " exceeds this summary's capacity of " + capacity);
        }
        top.reset(Math.max(1, Math.min(topN, n)));
        lse.reset();
        for (int from = 0; from < n; from += BLOCK) {
            int to = Math.min(n, from + BLOCK);
            int nan = Simd.firstNaN(logits, from, to);
            if (nan >= 0) {
                throw new IllegalArgumentException("Logit " + nan + " is NaN");
            }
            top.scan(logits, from, to);
            lse.raiseTo(top.score(0)); // the largest so far, including this block
            if (lse.max() != Float.NEGATIVE_INFINITY && lse.max() != Float.POSITIVE_INFINITY) {
                lse.addRelative(Simd.sumExp(logits, from, to, (float) lse.max()));
            }
        }
        if (lse.max() == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("Every logit is -infinity");
        }
        max = (float) lse.max();
        argmax = top.id(0);
        logSumExp = lse.value();
        return this;
    }

    /** The largest logit. */
    public float max() {
        return max;
    }

    /** The token with the largest logit (the lowest id on ties). */
    public int argmax() {
        return argmax;
    }

    /** {@code log(sum_j exp(l_j))}: {@code log p_i = l_i - logSumExp()}. */
    public double logSumExp() {
        return logSumExp;
    }

    /** Number of top entries held. */
    public int topCount() {
        return top.size();
    }

    /** Token id of top entry {@code i} (0 = the argmax). */
    int topId(int i) {
        return top.id(i);
    }

    /** Logit of top entry {@code i}. */
    float topLogit(int i) {
        return top.score(i);
    }

    /** The top {@code n} (at most {@link #topCount()}) as entries with probabilities at temperature 1. */
    public List<TopN.Entry> top(int n) {
        int k = Math.min(n, top.size());
        List<TopN.Entry> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            double lp = top.score(i) - logSumExp;
            out.add(new TopN.Entry(top.id(i), top.score(i), Math.exp(lp), lp));
        }
        return out;
    }
}
