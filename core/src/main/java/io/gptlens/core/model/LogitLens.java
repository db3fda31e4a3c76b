package io.gptlens.core.model;

import io.gptlens.core.distribution.LogSumExp;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.simd.Simd;
import io.gptlens.core.simd.TopK;

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
     * The top {@code n} tokens of each layer's decoded residual, in one pass over W_U: each row of
     * W_U is read once and scored against every layer's normalised residual with the Vector API;
     * per layer a top-n list and a running log-sum-exp keep what the answer needs, so nothing of
     * the vocabulary's size is held per layer.
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
        TopK[] best = new TopK[layers];
        LogSumExp[] lse = new LogSumExp[layers];
        for (int l = 0; l < layers; l++) {
            best[l] = new TopK(Math.max(1, Math.min(n, vocab)));
            lse[l] = new LogSumExp();
        }
        for (int t = 0; t < vocab; t++) {
            float[] w = unembedding.apply(t);
            for (int l = 0; l < layers; l++) {
                float logit = Simd.dot(normed[l], w);
                best[l].offer(t, logit);
                lse[l].add(logit);
            }
        }
        List<List<TopN.Entry>> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            List<TopN.Entry> top = new ArrayList<>();
            for (int i = 0; i < best[l].size(); i++) {
                double lp = best[l].score(i) - lse[l].value();
                top.add(new TopN.Entry(best[l].id(i), best[l].score(i), Math.exp(lp), lp));
            }
            out.add(top);
        }
        return out;
    }
}
