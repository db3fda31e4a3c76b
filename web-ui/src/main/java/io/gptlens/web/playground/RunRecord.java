package io.gptlens.web.playground;

import io.gptlens.core.sampling.StageSpec;

import java.util.List;

/**
 * Everything that determines a run, so that replaying it gives the same tokens.
 *
 * @param modelId      the model's id
 * @param modelSha256  sha256 of the model file (hex)
 * @param promptTokens the prompt's tokens
 * @param forced       tokens forced after the prompt before sampling starts (a branch's prefix and chosen token)
 * @param chain        the sampler chain
 * @param seed         the seed every random stage used
 * @param maxTokens    tokens to generate, the forced ones included
 * @param nativeChain  whether llama.cpp ran the chain (as one llama_sampler_chain, Java stages called back)
 * @param steering     what was added after each layer (one row per layer, null rows or null for none)
 */
public record RunRecord(String modelId, String modelSha256, int[] promptTokens, int[] forced, List<StageSpec> chain, long seed,
                        int maxTokens, boolean nativeChain, float[][] steering) {

    public RunRecord {
        promptTokens = promptTokens.clone();
        forced = forced.clone();
        chain = List.copyOf(chain);
        steering = copy(steering);
    }

    @Override
    public float[][] steering() {
        return copy(steering);
    }

    /** True if the run was steered. */
    public boolean steered() {
        return steering != null;
    }

    private static float[][] copy(float[][] v) {
        if (v == null) {
            return null;
        }
        float[][] c = new float[v.length][];
        for (int i = 0; i < v.length; i++) {
            c[i] = v[i] == null ? null : v[i].clone();
        }
        return c;
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    @Override
    public int[] forced() {
        return forced.clone();
    }
}
