package io.gptlens.core.model;

import java.util.List;

/**
 * Direct logit attribution: how much the embedding and each layer's attention and MLP output add to
 * one token's logit at one position. The residual stream after the last layer is the sum of the
 * embedding and every block's two outputs (attention: {@code ffn_inp_l - l_out_{l-1}}; MLP:
 * {@code l_out_l - ffn_inp_l}); the logit is {@code W_U[t] . norm(h)}. The norm is linearised at
 * the final residual {@code h}: its scale {@code 1 / sqrt(var(h) + eps)} is held fixed (and, for
 * LayerNorm, the mean subtracted from each part), so each part's contribution is
 * {@code W_U[t] . (w * centre(part)) / sigma(h)}. The remainder is the logit minus all of them:
 * the norm's bias, anything added outside the blocks (a control vector) and rounding, so the sum
 * shown is honest.
 *
 * @param token      the token
 * @param logit      its logit as the model gave it
 * @param embedding  the embedding's contribution
 * @param attention  per layer, the attention output's contribution
 * @param mlp        per layer, the MLP output's contribution
 * @param remainder  {@code logit - embedding - sum(attention) - sum(mlp)}
 */
public record Attribution(int token, double logit, double embedding, double[] attention, double[] mlp, double remainder) {

    public Attribution {
        attention = attention.clone();
        mlp = mlp.clone();
    }

    @Override
    public double[] attention() {
        return attention.clone();
    }

    @Override
    public double[] mlp() {
        return mlp.clone();
    }

    /**
     * Attributes {@code logit} of {@code token} at one position.
     *
     * @param embedding      the residual before the first block at that position
     * @param afterAttention per layer, the residual after the layer's attention ({@code ffn_inp})
     * @param afterLayer     per layer, the residual after the layer ({@code l_out})
     * @param norm           the final norm
     * @param unembedding    row {@code token} of W_U
     * @param logit          the model's own logit for {@code token} there
     * @throws IllegalArgumentException when the shapes disagree
     */
    public static Attribution of(int token, float[] embedding, List<float[]> afterAttention, List<float[]> afterLayer, LogitLens.Norm norm,
                                 float[] unembedding, double logit) {
        int layers = afterLayer.size();
        int d = embedding.length;
        if (afterAttention.size() != layers || layers == 0 || unembedding.length != d || norm.weight().length != d) {
            throw new IllegalArgumentException("Attribution needs as many attention as layer outputs (" + afterAttention.size() + " vs "
                    + layers + ") and vectors of " + d + " values");
        }
        float[] h = afterLayer.getLast();
        double mean = norm.rms() ? 0 : mean(h);
        double var = 0;
        for (float x : h) {
            var += (x - mean) * (x - mean);
        }
        double sigma = Math.sqrt(var / d + norm.eps());
        double[] readout = new double[d]; // W_U[t] * w / sigma: the linearised map from the residual to the logit
        for (int i = 0; i < d; i++) {
            readout[i] = unembedding[i] * norm.weight()[i] / sigma;
        }
        double e = project(readout, embedding, null, norm.rms());
        double[] att = new double[layers];
        double[] ffn = new double[layers];
        double sum = e;
        float[] before = embedding;
        for (int l = 0; l < layers; l++) {
            att[l] = project(readout, afterAttention.get(l), before, norm.rms());
            ffn[l] = project(readout, afterLayer.get(l), afterAttention.get(l), norm.rms());
            sum += att[l] + ffn[l];
            before = afterLayer.get(l);
        }
        return new Attribution(token, logit, e, att, ffn, logit - sum);
    }

    /** {@code readout . centre(x - minus)}: a part's contribution (centred for LayerNorm). */
    private static double project(double[] readout, float[] x, float[] minus, boolean rms) {
        int d = x.length;
        double[] part = new double[d];
        double mean = 0;
        for (int i = 0; i < d; i++) {
            part[i] = x[i] - (minus == null ? 0 : minus[i]);
            mean += part[i];
        }
        mean = rms ? 0 : mean / d;
        double s = 0;
        for (int i = 0; i < d; i++) {
            s += readout[i] * (part[i] - mean);
        }
        return s;
    }

    private static double mean(float[] x) {
        double m = 0;
        for (float v : x) {
            m += v;
        }
        return m / x.length;
    }
}
