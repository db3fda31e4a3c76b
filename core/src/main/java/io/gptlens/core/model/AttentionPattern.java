package io.gptlens.core.model;

import java.util.Arrays;

/**
 * One attention head's pattern over a prompt: for each query token in {@code [queryFrom, queryTo)},
 * the softmax weight it gives each key token. In a causal model query {@code q} attends to keys
 * {@code 0..q} only, and each row sums to 1.
 *
 * @param layer     the block (0-based)
 * @param head      the head within the block (0-based)
 * @param queryFrom the first query position held (inclusive)
 * @param weights   {@code [query - queryFrom][key]}: one row per query position held, one column per
 *                  key position of the prompt
 */
public record AttentionPattern(int layer, int head, int queryFrom, float[][] weights) {

    public AttentionPattern {
        if (layer < 0 || head < 0 || queryFrom < 0) {
            throw new IllegalArgumentException("layer, head and queryFrom must be >= 0, got " + layer + ", " + head + ", " + queryFrom);
        }
        weights = weights.clone();
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] == null) {
                throw new IllegalArgumentException("query row " + (queryFrom + i) + " was not captured");
            }
        }
    }

    /**
     * The pattern of {@code head} in {@code layer} for query rows {@code [from, to)}, as {@code in}
     * captured it.
     *
     * @throws IllegalArgumentException when that layer, head or row was not captured
     */
    public static AttentionPattern of(Internals in, int layer, int head, int from, int to) {
        if (layer < 0 || layer >= in.attention().size() || in.attention().get(layer) == null) {
            throw new IllegalArgumentException("layer " + layer + "'s attention was not captured");
        }
        float[][][] heads = in.attention().get(layer);
        if (head < 0 || head >= heads.length || heads[head] == null) {
            throw new IllegalArgumentException("head " + head + " of layer " + layer + " was not captured");
        }
        if (from < 0 || to > heads[head].length || from > to) {
            throw new IllegalArgumentException("query rows [" + from + ", " + to + ") outside the prompt's " + heads[head].length);
        }
        return new AttentionPattern(layer, head, from, Arrays.copyOfRange(heads[head], from, to));
    }

    @Override
    public float[][] weights() {
        return weights.clone();
    }

    /** The row of query position {@code query} (a view: do not change it). */
    public float[] row(int query) {
        return weights[query - queryFrom];
    }

    /** One past the last query position held. */
    public int queryTo() {
        return queryFrom + weights.length;
    }

    /** Key positions per row: the prompt's length. */
    public int keys() {
        return weights.length == 0 ? 0 : weights[0].length;
    }

    /** The weight query position {@code query} gives key position {@code key}. */
    public float weight(int query, int key) {
        return row(query)[key];
    }
}
