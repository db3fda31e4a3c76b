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
 * @param embedding     {@code [token][dimension]}: the residual stream before the first block (the
 *                      token's W_E row, scaled as the architecture does), rows outside the residual
 *                      range null; null when the components were not captured
 * @param afterAttention per layer, {@code [token][dimension]}: the residual stream after the layer's
 *                      attention and before its MLP ({@code ffn_inp}), rows as in {@code residual};
 *                      empty when the components were not captured
 */
public record Internals(int[] tokens, List<float[][][]> attention, List<float[][]> residual, List<float[]> residualNorms,
                        float[][] embedding, List<float[][]> afterAttention) {

    public Internals {
        tokens = tokens.clone();
        attention = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(attention)); // null entries allowed
        residual = List.copyOf(residual);
        residualNorms = List.copyOf(residualNorms);
        afterAttention = afterAttention == null ? List.of() : List.copyOf(afterAttention);
    }

    /** A capture without the components (what {@link Capture#components()} adds). */
    public Internals(int[] tokens, List<float[][][]> attention, List<float[][]> residual, List<float[]> residualNorms) {
        this(tokens, attention, residual, residualNorms, null, null);
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
     * @param components   also keep, at those positions, the residual before the first block and after each attention
     */
    public record Capture(Set<Integer> layers, Set<Integer> heads, int queryFrom, int queryTo, int residualFrom, int residualTo,
                          boolean components) {

        /** Without the components. */
        public Capture(Set<Integer> layers, Set<Integer> heads, int queryFrom, int queryTo, int residualFrom, int residualTo) {
            this(layers, heads, queryFrom, queryTo, residualFrom, residualTo, false);
        }

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

        /** No attention; at one position the residual before the first block, after each attention and after each layer. */
        public static Capture componentsAt(int position) {
            return new Capture(Set.of(), Set.of(), 0, 0, position, position + 1, true);
        }

        public boolean layer(int l) {
            return layers == null || layers.contains(l);
        }

        public boolean head(int h) {
            return heads == null || heads.contains(h);
        }
    }
}
