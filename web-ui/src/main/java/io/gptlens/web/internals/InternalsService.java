package io.gptlens.web.internals;

import io.gptlens.core.distribution.TopN;
import io.gptlens.core.model.AttentionPattern;
import io.gptlens.core.model.Attribution;
import io.gptlens.core.model.CausalTrace;
import io.gptlens.core.model.Internals;
import io.gptlens.core.model.LogitLens;
import io.gptlens.core.model.Model;
import io.gptlens.web.models.ModelException;
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
    /** Longest prompt traced by patching: a run per layer and position. */
    public static final int MAX_PATCHED_TOKENS = 64;
    /** Most logit-lens entries per layer. */
    public static final int MAX_LENS_TOP = 20;

    /**
     * An answer; {@code attention} (one pattern per head asked for: all of the layer's, or one) and
     * {@code lens} are null when not asked for.
     */
    public record Result(int[] tokens, int layers, int heads, List<float[]> residualNorms, List<AttentionPattern> attention, int lensPosition,
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
     * @throws ModelException INVALID for a prompt, layer, head or position out of range
     */
    public Result inspect(LoadedModel m, int[] tokens, Integer layer, Integer head, int from, Integer to, Integer lensPosition, int lensTop) {
        Model model = m.model();
        if (model.info().vocabOnly()) {
            throw new ModelException(ModelException.Kind.UNSUPPORTED, "Model '" + m.id() + "' is a vocabulary only: it has no internals to show");
        }
        int n = tokens.length;
        if (n == 0 || n > MAX_TOKENS) {
            throw new ModelException(ModelException.Kind.INVALID, "Internals are shown for 1 to " + MAX_TOKENS + " tokens, got " + n);
        }
        int layers = model.info().layers();
        int heads = model.info().heads();
        if (layer != null && (layer < 0 || layer >= layers)) {
            throw new ModelException(ModelException.Kind.INVALID, "layer must be in [0, " + layers + "), got " + layer);
        }
        if (head != null && (head < 0 || head >= heads)) {
            throw new ModelException(ModelException.Kind.INVALID, "head must be in [0, " + heads + "), got " + head);
        }
        int end = to == null ? n : to;
        if (from < 0 || end > n || from >= end) {
            throw new ModelException(ModelException.Kind.INVALID, "Query positions must satisfy 0 <= from < to <= " + n + ", got [" + from + ", " + end + ")");
        }
        int lp = lensPosition == null ? -1 : lensPosition < 0 ? n - 1 : lensPosition;
        if (lensPosition != null && lp >= n) {
            throw new ModelException(ModelException.Kind.INVALID, "lens_position must be in [0, " + n + ") (or -1 for the last), got " + lensPosition);
        }
        if (lensTop < 1 || lensTop > MAX_LENS_TOP) {
            throw new ModelException(ModelException.Kind.INVALID, "lens_top must be in [1, " + MAX_LENS_TOP + "], got " + lensTop);
        }
        try {
            model.tokenizer().checkTokens(tokens);
        } catch (IllegalArgumentException e) {
            throw new ModelException(ModelException.Kind.INVALID, e.getMessage());
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
                throw new ModelException(ModelException.Kind.INVALID, e.getMessage());
            }
            long t1 = System.nanoTime();
            long bytes = 4L * layers * n;
            List<AttentionPattern> att = null;
            if (layer != null) {
                float[][][] all = in.attention().isEmpty() ? null : in.attention().get(layer);
                if (all == null) {
                    throw new ModelException(ModelException.Kind.UNSUPPORTED, "Model '" + m.id() + "' shows no attention probabilities to llama.cpp's graph callback "
                            + "(kq_soft_max): its architecture names them otherwise");
                }
                att = new java.util.ArrayList<>();
                for (int h = head == null ? 0 : head; h < (head == null ? all.length : head + 1); h++) {
                    att.add(AttentionPattern.of(in, layer, h, from, end));
                    bytes += 4L * (end - from) * n;
                }
            }
            List<List<TopN.Entry>> lens = null;
            long t2 = System.nanoTime();
            if (lp >= 0) {
                var norm = model.finalNorm().orElseThrow(() -> new ModelException(ModelException.Kind.UNSUPPORTED, "Model '" + m.id()
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
    /**
     * Direct logit attribution of {@code token} after {@code tokens}: the embedding's and each layer's
     * attention and MLP contributions to its logit, through the final norm linearised at the final
     * residual, and the remainder ({@link Attribution}).
     *
     * @throws ModelException INVALID for a prompt or token out of range; UNSUPPORTED for a model without a known final norm,
     *                        or whose graph does not name the residual inside its blocks
     */
    public Attribution attribution(LoadedModel m, int[] tokens, int token) {
        Model model = m.model();
        if (model.info().vocabOnly() || !model.canGenerate()) {
            throw new ModelException(ModelException.Kind.UNSUPPORTED, "Model '" + m.id() + "' does not generate: it has no logits to attribute");
        }
        int n = tokens.length;
        if (n == 0 || n > MAX_TOKENS) {
            throw new ModelException(ModelException.Kind.INVALID, "Attribution is shown for 1 to " + MAX_TOKENS + " tokens, got " + n);
        }
        int vocab = model.tokenizer().vocabularySize();
        if (token < 0 || token >= vocab) {
            throw new ModelException(ModelException.Kind.INVALID, "token must be in [0, " + vocab + "), got " + token);
        }
        var norm = model.finalNorm().orElseThrow(() -> new ModelException(ModelException.Kind.UNSUPPORTED, "Model '" + m.id()
                + "''s final norm is not known to GPTLens: no attribution"));
        m.acquireSlot();
        try {
            Internals in;
            try {
                in = model.internals(tokens, Internals.Capture.componentsAt(n - 1));
            } catch (UnsupportedOperationException e) {
                throw new ModelException(ModelException.Kind.UNSUPPORTED, e.getMessage());
            }
            float[] logits;
            try (var s = model.newSession(io.gptlens.core.model.SessionOptions.defaults().withContextLength(Math.max(16, n)))) {
                s.evaluate(io.gptlens.core.model.Batch.of(tokens, 0, 0));
                logits = s.logits(-1);
            }
            List<float[]> mid = in.afterAttention().stream().map(r -> r[n - 1]).toList();
            List<float[]> out = in.residual().stream().map(r -> r[n - 1]).toList();
            return Attribution.of(token, in.embedding()[n - 1], mid, out, norm, model.unembeddingRow(token), logits[token]);
        } finally {
            m.slots().release();
        }
    }
    /**
     * Causal tracing of {@code target}: the corrupted prompt run again per layer and position with the
     * clean run's residual there ({@link CausalTrace}).
     *
     * @throws ModelException INVALID for prompts of different lengths or a token out of range; UNSUPPORTED where the backend cannot patch
     */
    public CausalTrace patching(LoadedModel m, int[] clean, int[] corrupted, int target) {
        return patching(m, clean, corrupted, target, (done, total) -> {
        });
    }

    /**
     * {@link #patching(LoadedModel, int[], int[], int)}, telling {@code progress} after each run; an
     * interrupt of the calling thread stops it (CancellationException).
     */
    public CausalTrace patching(LoadedModel m, int[] clean, int[] corrupted, int target, CausalTrace.Progress progress) {
        Model model = m.model();
        if (model.info().vocabOnly() || !model.canGenerate()) {
            throw new ModelException(ModelException.Kind.UNSUPPORTED, "Model '" + m.id() + "' does not generate: it has nothing to patch");
        }
        if (clean.length == 0 || clean.length > MAX_PATCHED_TOKENS) {
            throw new ModelException(ModelException.Kind.INVALID, "Patching traces prompts of 1 to " + MAX_PATCHED_TOKENS + " tokens (a run per layer and "
                    + "position), got " + clean.length);
        }
        m.acquireSlot();
        try {
            return CausalTrace.run(model, clean, corrupted, target, progress);
        } catch (UnsupportedOperationException e) {
            throw new ModelException(ModelException.Kind.UNSUPPORTED, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ModelException(ModelException.Kind.INVALID, e.getMessage());
        } finally {
            m.slots().release();
        }
    }
}
