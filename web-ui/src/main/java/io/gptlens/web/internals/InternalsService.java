package io.gptlens.web.internals;

import io.gptlens.core.distribution.TopN;
import io.gptlens.core.model.Internals;
import io.gptlens.core.model.LogitLens;
import io.gptlens.core.model.Model;
import io.gptlens.web.api.ApiException;
import io.gptlens.web.models.LoadedModel;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;

/**
 * What happens inside a model for a prompt, at the scale of real models: the attention of one
 * layer (one head or all of them) for a range of query positions, every layer's residual norms,
 * and the logit lens at one position (every layer's residual through the final norm and W_U, one
 * pass over W_U). Only what is asked for is captured, so a 24-layer model over 512 tokens costs
 * megabytes, not the 350 MB of all its attention. The REST endpoint and the playground's
 * "Inside the model" panel both use it. Thread-safe; captures share the model's completion slots.
 */
@ApplicationScoped
public class InternalsService {

    /** Longest prompt looked into (llama.cpp evaluates it as one batch). */
    public static final int MAX_TOKENS = 512;
    /** Most logit-lens entries per layer. */
    public static final int MAX_LENS_TOP = 20;

    /**
     * The attention asked for.
     *
     * @param weights {@code [head][query - from][key]} (heads: all of the layer's when {@code head} is null)
     */
    public record Attention(int layer, Integer head, int from, int to, float[][][] weights) {
    }

    /** An answer; {@code attention} and {@code lens} are null when not asked for. */
    public record Result(int[] tokens, int layers, int heads, List<float[]> residualNorms, Attention attention, int lensPosition,
                         List<List<TopN.Entry>> lens, double captureMillis, double lensMillis, long capturedBytes) {
    }

    /**
     * Looks inside.
     *
     * @param layer        the layer whose attention to return, or null for none
     * @param head         its head, or null for all heads of the layer
     * @param from         first query position (inclusive)
     * @param to           last query position (exclusive), or null for the end of the prompt
     * @param lensPosition the position for the logit lens, or null for none (-1: the last)
     * @param lensTop      entries per layer of the lens
     * @throws ApiException 400 for a prompt, layer, head or position out of range
     */
    public Result inspect(LoadedModel m, int[] tokens, Integer layer, Integer head, int from, Integer to, Integer lensPosition, int lensTop) {
        Model model = m.model();
        if (model.info().vocabOnly()) {
            throw new ApiException(400, "Model '" + m.id() + "' is a vocabulary only: it has no internals to show");
        }
        int n = tokens.length;
        if (n == 0 || n > MAX_TOKENS) {
            throw new ApiException(400, "Internals are shown for 1 to " + MAX_TOKENS + " tokens, got " + n);
        }
        int layers = model.info().layers();
        int heads = model.info().heads();
        if (layer != null && (layer < 0 || layer >= layers)) {
            throw new ApiException(400, "layer must be in [0, " + layers + "), got " + layer);
        }
        if (head != null && (head < 0 || head >= heads)) {
            throw new ApiException(400, "head must be in [0, " + heads + "), got " + head);
        }
        int end = to == null ? n : to;
        if (from < 0 || end > n || from >= end) {
            throw new ApiException(400, "Query positions must satisfy 0 <= from < to <= " + n + ", got [" + from + ", " + end + ")");
        }
        int lp = lensPosition == null ? -1 : lensPosition < 0 ? n - 1 : lensPosition;
        if (lensPosition != null && lp >= n) {
            throw new ApiException(400, "lens_position must be in [0, " + n + ") (or -1 for the last), got " + lensPosition);
        }
        if (lensTop < 1 || lensTop > MAX_LENS_TOP) {
            throw new ApiException(400, "lens_top must be in [1, " + MAX_LENS_TOP + "], got " + lensTop);
        }
        try {
            model.tokenizer().checkTokens(tokens);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
        Internals.Capture capture = new Internals.Capture(layer == null ? Set.of() : Set.of(layer), head == null ? null : Set.of(head),
                from, end, Math.max(0, lp), Math.max(0, lp) + (lp >= 0 ? 1 : 0));
        m.acquireSlot();
        try {
            long t0 = System.nanoTime();
            Internals in;
            try {
                in = model.internals(tokens, capture);
            } catch (UnsupportedOperationException e) {
                throw new ApiException(400, e.getMessage());
            }
            long t1 = System.nanoTime();
            long bytes = 4L * layers * n;
            Attention att = null;
            if (layer != null) {
                float[][][] all = in.attention().isEmpty() ? null : in.attention().get(layer);
                if (all == null) {
                    throw new ApiException(400, "Model '" + m.id() + "' shows no attention probabilities to llama.cpp's graph callback "
                            + "(kq_soft_max): its architecture names them otherwise");
                }
                float[][][] w = head == null ? new float[all.length][][] : new float[1][][];
                for (int h = 0; h < w.length; h++) {
                    float[][] rows = all[head == null ? h : head];
                    w[h] = java.util.Arrays.copyOfRange(rows, from, end);
                    bytes += 4L * (end - from) * n;
                }
                att = new Attention(layer, head, from, end, w);
            }
            List<List<TopN.Entry>> lens = null;
            long t2 = System.nanoTime();
            if (lp >= 0) {
                var norm = model.finalNorm().orElseThrow(() -> new ApiException(400, "Model '" + m.id()
                        + "''s final norm is not known to GPTLens: no logit lens"));
                List<float[]> residuals = in.residual().stream().map(r -> r[lp]).toList();
                bytes += 4L * layers * model.info().embeddingLength();
                lens = LogitLens.top(residuals, norm, model::unembeddingRow, model.tokenizer().vocabularySize(), lensTop);
            }
            long t3 = System.nanoTime();
            return new Result(tokens, layers, heads, in.residualNorms(), att, lp, lens, (t1 - t0) / 1e6, (t3 - t2) / 1e6, bytes);
        } finally {
            m.slots().release();
        }
    }
}
