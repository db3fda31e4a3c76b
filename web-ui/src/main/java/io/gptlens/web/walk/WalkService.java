package io.gptlens.web.walk;

import io.gptlens.core.distribution.TopN;
import io.gptlens.core.model.AttentionPattern;
import io.gptlens.core.model.Model;
import io.gptlens.core.sampling.ChainPreview;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.core.simd.Simd;
import io.gptlens.web.internals.InternalsService;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.playground.PlaygroundSession;
import io.gptlens.web.sampling.SamplerRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * The numbers behind the walk, for any loaded model and at the scale of real ones: the tokens' rows
 * of W_E (only the first {@value #MAX_STRIPS}, the rest on demand), every layer's residual norms for
 * every token, one layer's attention (all heads) when asked, and the logit lens of one position (one
 * pass over W_U). The final logits come from the view's playground session, which keeps a KV cache.
 * Thread-safe; captures share the model's slots through {@link InternalsService}.
 */
@ApplicationScoped
public class WalkService {

    /** Most tokens whose W_E row is drawn at once. */
    public static final int MAX_STRIPS = 48;

    private final InternalsService internals;
    private final SamplerRegistry samplers;

    public WalkService(InternalsService internals, SamplerRegistry samplers) {
        this.internals = internals;
        this.samplers = samplers;
    }

    /** The pipeline of {@code chain} over {@code logits}: what each stage leaves. */
    public List<ChainPreview.Snapshot> pipeline(List<StageSpec> chain, float[] logits, long seed) {
        return ChainPreview.run(samplers.providers(), chain, logits, seed);
    }

    /** Token rows of W_E for {@code tokens[from, to)} and their norms. */
    public record Embeddings(int from, float[][] rows, float[] norms) {
    }

    /** Rows of W_E for positions {@code [from, min(from + MAX_STRIPS, n))}. */
    public Embeddings embeddings(LoadedModel m, int[] tokens, int from) {
        Model model = m.model();
        int to = Math.min(tokens.length, from + MAX_STRIPS);
        float[][] rows = new float[Math.max(0, to - from)][];
        float[] norms = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = model.embeddings().row(tokens[from + i]);
            norms[i] = (float) Math.sqrt(Simd.dot(rows[i], rows[i]));
        }
        return new Embeddings(from, rows, norms);
    }

    /** Through the blocks: residual norms (layer × token), and the attention pattern of each of {@code layer}'s heads. */
    public record Blocks(int layers, int heads, List<float[]> residualNorms, int layer, List<AttentionPattern> attention, double millis) {
    }

    /**
     * Runs the prompt and keeps every layer's residual norms and {@code layer}'s attention.
     *
     * @throws io.gptlens.web.models.ModelException for a prompt or layer out of range (the message says which)
     */
    public Blocks blocks(LoadedModel m, int[] tokens, int layer) {
        InternalsService.Result r = internals.inspect(m, tokens, layer, null, 0, null, null, 1);
        return new Blocks(r.layers(), r.heads(), r.residualNorms(), layer, r.attention(), r.captureMillis());
    }

    /** The logit lens at {@code position}: per layer, the top entry (its token and probability). */
    public List<TopN.Entry> lens(LoadedModel m, int[] tokens, int position) {
        InternalsService.Result r = internals.inspect(m, tokens, null, null, 0, null, position, 1);
        return r.lens().stream().map(List::getFirst).toList();
    }

    /** True if the model's final norm is known, so the logit lens can be shown. */
    public boolean hasLens(LoadedModel m) {
        return m.model().finalNorm().isPresent();
    }

    /** The chain the walk samples with: {@code edited} (or llama.cpp's common top-k 40, top-p 0.95, min-p 0.05) and then temperature T. */
    public static List<StageSpec> chain(List<StageSpec> edited, double temperature) {
        List<StageSpec> c = new ArrayList<>(edited.isEmpty()
                ? List.of(StageSpec.of("top-k", "k", 40L), StageSpec.of("top-p", "p", 0.95), StageSpec.of("min-p", "p", 0.05)) : edited);
        c.add(StageSpec.of("temperature", "t", temperature));
        return c;
    }

    /**
     * The token drawn from the chain's last stage, reproducibly for a seed and a position (one
     * uniform draw against the cumulative probabilities; T = 0 leaves only the argmax).
     */
    public static int pick(List<ChainPreview.Snapshot> pipeline, long seed, int position) {
        ChainPreview.Snapshot last = pipeline.getLast();
        double u = new SplittableRandom(seed + position).nextDouble();
        double acc = 0;
        for (int i = 0; i < last.ids().length; i++) {
            acc += last.probs()[i];
            if (u < acc) {
                return last.ids()[i];
            }
        }
        return last.ids()[0];
    }

    /**
     * Generates with the walk's own pick: from {@code start}, up to {@code max} tokens (and at most
     * {@link InternalsService#MAX_TOKENS} in all), each given to {@code onToken}, until the end token
     * or {@code stop}. Runs on the caller's thread; the session's KV cache keeps each step to one token.
     *
     * @throws IllegalArgumentException if the chain cannot run
     */
    public void generate(PlaygroundSession s, int[] start, List<StageSpec> chain, long seed, int max, BooleanSupplier stop, IntConsumer onToken) {
        int[] t = start;
        for (int i = 0; i < max && !stop.getAsBoolean() && t.length < InternalsService.MAX_TOKENS; i++) {
            float[] l = s.logitsAfter(t).join();
            int id = pick(ChainPreview.run(samplers.providers(), chain, l, seed), seed, t.length);
            t = java.util.Arrays.copyOf(t, t.length + 1);
            t[t.length - 1] = id;
            onToken.accept(id);
            if (s.tokenizer().isEndOfGeneration(id)) {
                return;
            }
        }
    }
}
