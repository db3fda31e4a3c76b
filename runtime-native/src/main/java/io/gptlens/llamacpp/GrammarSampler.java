package io.gptlens.llamacpp;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.core.sampling.BaseSamplerProvider;
import io.gptlens.core.sampling.Sampler;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.llamacpp.internal.Llama;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * llama.cpp's grammar sampler ({@code llama_sampler_init_grammar}) as the stage
 * {@code llama.grammar}: it removes every candidate whose piece the GBNF grammar does not allow
 * next, and follows the grammar as tokens are accepted. A grammar reads a model's vocabulary, so
 * the provider belongs to one model ({@link LlamaModel#samplerProviders()}).
 *
 * <p>Guards: llama.cpp aborts the process when a token the grammar forbids is accepted, so
 * {@link #accept} first asks the grammar about that one token and refuses it with an exception;
 * a grammar that does not parse is refused when the stage is made (llama.cpp writes why to its log).
 * Owns one {@code llama_sampler *}, freed once by {@link #close()}; the model must outlive it
 * (a completion holds one of the model's slots).
 */
final class GrammarSampler implements Sampler {

    /** The stage's name. */
    static final String NAME = "llama.grammar";

    private final LlamaModel model;
    private MemorySegment handle;

    private GrammarSampler(LlamaModel model, MemorySegment handle) {
        this.model = model;
        this.handle = handle;
    }

    /** A grammar stage for {@code model}'s vocabulary. */
    static GrammarSampler create(LlamaModel model, String grammar, String root) {
        LlamaLibrary.load();
        try (Arena a = Arena.ofConfined(); var u = model.use()) {
            MemorySegment h = Llama.samplerInitGrammar(model.vocab(), a.allocateFrom(grammar), a.allocateFrom(root));
            if (h.equals(MemorySegment.NULL)) {
                throw new IllegalArgumentException("llama.cpp could not parse the grammar (root rule '" + root
                        + "'): check the GBNF syntax, that every rule used is defined and that no rule is left-recursive");
            }
            return new GrammarSampler(model, h);
        }
    }

    private MemorySegment handle() {
        if (handle == null) {
            throw new IllegalStateException("The grammar sampler is closed");
        }
        return handle;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void apply(Candidates c) {
        try (Arena a = Arena.ofConfined(); var u = model.use()) {
            MemorySegment arr = TokenDataArrays.of(a, c);
            Llama.samplerApply(handle(), arr);
            TokenDataArrays.readBack(arr, c, NAME);
        }
        boolean any = false;
        for (int i = 0; i < c.size() && !any; i++) {
            any = c.logit(i) > Float.NEGATIVE_INFINITY;
        }
        if (!any) {
            throw new IllegalStateException("The grammar allows none of the " + c.size() + " candidates here");
        }
        c.retain(i -> c.logit(i) > Float.NEGATIVE_INFINITY);
    }

    /** Whether the grammar, in its present state, allows {@code token} next. */
    boolean allows(int token) {
        try (Arena a = Arena.ofConfined(); var u = model.use()) {
            Candidates one = Candidates.of(new int[] {token}, new float[] {0f});
            MemorySegment arr = TokenDataArrays.of(a, one);
            Llama.samplerApply(handle(), arr);
            TokenDataArrays.readBack(arr, one, NAME);
            return one.logit(0) > Float.NEGATIVE_INFINITY;
        }
    }

    @Override
    public void accept(int token) {
        if (!allows(token)) {
            throw new IllegalArgumentException("Token " + token + " is not allowed by the grammar here; a grammar stage can only follow tokens it allows");
        }
        try (var u = model.use()) {
            Llama.samplerAccept(handle(), token);
        }
    }

    @Override
    public void reset() {
        try (var u = model.use()) {
            Llama.samplerReset(handle());
        }
    }

    @Override
    public GrammarSampler copy() {
        try (var u = model.use()) {
            MemorySegment h = Llama.samplerClone(handle());
            if (h.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama_sampler_clone failed for " + NAME);
            }
            return new GrammarSampler(model, h);
        }
    }

    @Override
    public synchronized void close() {
        if (handle != null) {
            Llama.samplerFree(handle);
            handle = null;
        }
    }

    /** The provider of {@code llama.grammar} for one model. */
    static final class Provider extends BaseSamplerProvider {
        Provider(LlamaModel model) {
            super(NAME, SamplerProvider.Kind.RESHAPE,
                    "llama.cpp's grammar sampler: keeps only the tokens a GBNF grammar allows next (structured output, JSON).",
                    List.of(ParamSpec.ofString("grammar", "", "GBNF rules, e.g. root ::= \"yes\" | \"no\"."),
                            ParamSpec.ofString("root", "root", "The start rule.")),
                    p -> {
                        String g = p.getString("grammar");
                        if (g == null || g.isBlank()) {
                            throw new IllegalArgumentException(NAME + " needs 'grammar': GBNF rules, e.g. root ::= \"yes\" | \"no\"");
                        }
                        String root = p.getString("root");
                        return GrammarSampler.create(model, g, root == null || root.isBlank() ? "root" : root);
                    });
        }
    }
}
