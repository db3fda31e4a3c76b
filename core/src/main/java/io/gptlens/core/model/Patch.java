package io.gptlens.core.model;

/**
 * An activation patch: the residual stream after block {@code layer} at {@code position} is
 * replaced by {@code residual} while the prompt is computed (causal tracing copies it from another run).
 *
 * @param layer    the block whose output ({@code l_out}) is overwritten
 * @param position the token position
 * @param residual the vector written there (the model's embedding length)
 */
public record Patch(int layer, int position, float[] residual) {

    public Patch {
        if (layer < 0 || position < 0) {
            throw new IllegalArgumentException("layer and position must be >= 0, got " + layer + ", " + position);
        }
        residual = residual.clone();
    }

    @Override
    public float[] residual() {
        return residual.clone();
    }
}
