package io.gptlens.core.model;

import io.gptlens.core.distribution.Softmax;
import io.gptlens.core.distribution.TopN;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The logit lens (nostalgebraist, 2020): decode the residual stream after every layer as if it
 * were the last, through the final norm and the unembedding W_U, to see the prediction form layer
 * by layer. One pass over W_U serves all layers. Stateless.
 */
public final class LogitLens {

    /**
     * The final normalisation of a model.
     *
     * @param weight the norm's scale (γ)
     * @param bias   the norm's shift (β), or null
     * @param eps    the epsilon added to the variance
     * @param rms    true for RMSNorm (no mean subtracted, as llama), false for LayerNorm
     */
    public record Norm(float[] weight, float[] bias, double eps, boolean rms) {
        /** Normalises {@code x}. */
        public float[] apply(float[] x) {
            int d = x.length;
            double mean = 0;
            if (!rms) {
                for (float v : x) {
                    mean += v;
                }
                mean /= d;
            }
            double var = 0;
            for (float v : x) {
                var += (v - mean) * (v - mean);
            }
            double scale = 1 / Math.sqrt(var / d + eps);
            float[] out = new float[d];
            for (int i = 0; i < d; i++) {
                out[i] = (float) ((x[i] - mean) * scale * weight[i] + (bias == null ? 0 : bias[i]));
            }
            return out;
        }
    }

    private LogitLens() {
    }

    /**
     * The top {@code n} tokens of each layer's decoded residual.
     *
     * @param residuals   per layer, the residual vector at one position (d floats each)
     * @param norm        the final norm
     * @param unembedding row {@code t} of W_U (d floats)
     * @param vocab       number of tokens
     * @return per layer, the top {@code n} entries (probabilities are the softmax of the decoded logits)
     */
    public static List<List<TopN.Entry>> top(List<float[]> residuals, Norm norm, IntFunction<float[]> unembedding, int vocab, int n) {
        int layers = residuals.size();
        float[][] normed = new float[layers][];
        for (int l = 0; l < layers; l++) {
            normed[l] = norm.apply(residuals.get(l));
        }
        float[][] logits = new float[layers][vocab];
        for (int t = 0; t < vocab; t++) {
            float[] w = unembedding.apply(t);
            for (int l = 0; l < layers; l++) {
                float[] x = normed[l];
                double dot = 0;
                for (int i = 0; i < x.length; i++) {
                    dot += x[i] * w[i];
                }
                logits[l][t] = (float) dot;
            }
        }
        List<List<TopN.Entry>> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            out.add(TopN.of(logits[l], Softmax.logSumExp(logits[l]), n));
        }
        return out;
    }
}
