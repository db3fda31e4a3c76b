package io.gptlens.core.model;

import java.util.List;

/**
 * What happens inside the model for one prompt: per layer, the attention probabilities of every
 * head and the residual stream after the layer.
 *
 * @param tokens    the prompt's token ids
 * @param attention per layer, {@code [head][query][key]}: the softmax weight query token q gives
 *                  key token k ({@code k <= q} for a causal model; each row sums to 1)
 * @param residual  per layer, {@code [token][dimension]}: the residual stream after the layer
 */
public record Internals(int[] tokens, List<float[][][]> attention, List<float[][]> residual) {

    public Internals {
        tokens = tokens.clone();
        attention = List.copyOf(attention);
        residual = List.copyOf(residual);
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** Number of layers captured. */
    public int layers() {
        return Math.max(attention.size(), residual.size());
    }
}
