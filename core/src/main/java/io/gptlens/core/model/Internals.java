package io.gptlens.core.model;

import java.util.List;
import java.util.Set;

/**
 * What happens inside the model for one prompt: per layer, the attention probabilities of the
 * heads asked for and the residual stream after the layer, plus every layer's residual norms.
 *
 * @param tokens        the prompt's token ids
 * @param attention     per layer, {@code [head][query][key]}: the softmax weight query token q gives
 *                      key token k ({@code k <= q} for a causal model; each row sums to 1). A layer
 *                      that was not captured is {@code null}; so is a head that was not, and a query
 *                      row outside the range asked for
 * @param residual      per layer, {@code [token][dimension]}: the residual stream after the layer; rows
 *                      outside the range asked for are {@code null}
 * @param residualNorms per layer, {@code [token]}: the norm of the residual stream after the layer,
 *                      for every token; in the last layer only for the positions whose residual
 *                      was kept and the last one (NaN elsewhere: llama.cpp computes the last block
 *                      only for the rows it outputs)
 */
public record Internals(int[] tokens, List<float[][][]> attention, List<float[][]> residual, List<float[]> residualNorms) {

    public Internals {
        tokens = tokens.clone();
        attention = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(attention)); // null entries allowed
        residual = List.copyOf(residual);
        residualNorms = List.copyOf(residualNorms);
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** Number of layers captured. */
    public int layers() {
        return Math.max(attention.size(), residual.size());
    }

    /**
     * What a capture keeps, so that a 24-layer, 14-head model over 512 tokens does not copy all of
     * its 350 MB of attention when a view shows one head: the attention of some layers and heads
     * for a range of query positions, and the residual stream for a range of positions (norms
     * are always kept for all).
     *
     * @param layers       layers whose attention is kept (null: all)
     * @param heads        heads whose attention is kept (null: all)
     * @param queryFrom    first query row kept (inclusive)
     * @param queryTo      last query row kept (exclusive; clamped to the prompt)
     * @param residualFrom first position whose residual vector is kept
     * @param residualTo   last position whose residual vector is kept (exclusive; clamped)
     */
    public record Capture(Set<Integer> layers, Set<Integer> heads, int queryFrom, int queryTo, int residualFrom, int residualTo) {

        public Capture {
            layers = layers == null ? null : Set.copyOf(layers);
            heads = heads == null ? null : Set.copyOf(heads);
            if (queryFrom < 0 || queryTo < queryFrom || residualFrom < 0 || residualTo < residualFrom) {
                throw new IllegalArgumentException("Invalid ranges: queries [" + queryFrom + ", " + queryTo + "), residual [" + residualFrom + ", "
                        + residualTo + ")");
            }
        }

        /** Everything. */
        public static Capture all() {
            return new Capture(null, null, 0, Integer.MAX_VALUE, 0, Integer.MAX_VALUE);
        }

        /** No attention, the residual at one position (the logit lens). */
        public static Capture residualAt(int position) {
            return new Capture(Set.of(), Set.of(), 0, 0, position, position + 1);
        }

        public boolean layer(int l) {
            return layers == null || layers.contains(l);
        }

        public boolean head(int h) {
            return heads == null || heads.contains(h);
        }
    }
}
