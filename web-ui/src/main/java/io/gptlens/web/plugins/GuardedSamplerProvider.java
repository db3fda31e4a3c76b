package io.gptlens.web.plugins;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.Params;
import io.gptlens.core.sampling.Picker;
import io.gptlens.core.sampling.Sampler;
import io.gptlens.core.sampling.SamplerException;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.SamplerStage;

import java.util.function.BiConsumer;

/**
 * A plugin's sampler provider with its faults kept inside: every call of a stage it makes runs
 * with a time budget, and its output is checked (at least one candidate, no NaN logit, valid
 * probabilities). A fault ends the generation with a {@link SamplerException} naming the plugin
 * and marks the plugin failed; the server goes on.
 */
public final class GuardedSamplerProvider extends GuardedProvider<SamplerProvider> implements SamplerProvider {

    private final Kind kind;

    /**
     * @throws IllegalArgumentException if the provider's declarations fail, hang or make no sense
     */
    GuardedSamplerProvider(SamplerProvider delegate, String jar, BiConsumer<String, String> onFault, PluginCalls.Budgets budgets) {
        super(delegate, jar, onFault, budgets);
        this.kind = declared(delegate::kind);
        if (kind == null) {
            throw new IllegalArgumentException(delegate.getClass().getName() + " declares no kind (RESHAPE or PICK)");
        }
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public SamplerStage create(Params p) {
        SamplerStage s = call(() -> delegate().create(p));
        if (s == null) {
            throw fault("made no stage (null)", null);
        }
        if ((kind == Kind.PICK) != (s instanceof Picker)) {
            throw fault("declares kind " + kind + " but made a " + (s instanceof Picker ? "picker" : "reshaping sampler"), null);
        }
        return switch (s) {
            case Sampler r -> new GuardedSampler(r);
            case Picker k -> new GuardedPicker(k);
        };
    }

    @Override
    SamplerException exception(String message, Throwable cause) {
        return new SamplerException(name(), message, cause);
    }

    /**
     * Checks what a stage left in {@code c} from {@code before}: at least one candidate, each a
     * token that was there before and only once, no NaN logit, probabilities in [0, 1] when valid.
     */
    private void check(Candidates before, Candidates c) {
        if (c.size() < 1) {
            throw fault("left no candidates", null);
        }
        java.util.BitSet offered = new java.util.BitSet();
        for (int i = 0; i < before.size(); i++) {
            offered.set(before.id(i));
        }
        java.util.BitSet seen = new java.util.BitSet();
        boolean probs = c.probabilitiesValid();
        for (int i = 0; i < c.size(); i++) {
            int id = c.id(i);
            if (id < 0 || !offered.get(id)) {
                throw fault("produced token " + id + ", which was not among the candidates it was given", null);
            }
            if (seen.get(id)) {
                throw fault("produced token " + id + " twice", null);
            }
            seen.set(id);
            if (Float.isNaN(c.logit(i))) {
                throw fault("produced a NaN logit for token " + c.id(i), null);
            }
            if (probs && (!(c.p(i) >= 0) || c.p(i) > 1.0001f)) {
                throw fault("produced an invalid probability " + c.p(i) + " for token " + c.id(i), null);
            }
        }
    }

    private final class GuardedSampler implements Sampler {
        private final Sampler s;

        GuardedSampler(Sampler s) {
            this.s = s;
        }

        @Override
        public String name() {
            return GuardedSamplerProvider.this.name();
        }

        @Override
        public void apply(Candidates c) {
            Candidates work = c.copy();
            call(() -> {
                s.apply(work);
                return null;
            });
            check(c, work);
            c.replace(work.ids(), work.logits(), work.probabilities(), work.size(), work.isSorted(), work.probabilitiesValid());
        }

        @Override
        public void accept(int token) {
            call(() -> {
                s.accept(token);
                return null;
            });
        }

        @Override
        public void reset() {
            call(() -> {
                s.reset();
                return null;
            });
        }

        @Override
        public Sampler copy() {
            return new GuardedSampler(call(s::copy));
        }

        @Override
        public void close() {
            s.close();
        }
    }

    private final class GuardedPicker implements Picker {
        private final Picker p;

        GuardedPicker(Picker p) {
            this.p = p;
        }

        @Override
        public String name() {
            return GuardedSamplerProvider.this.name();
        }

        @Override
        public int pick(Candidates c) {
            Candidates work = c.copy();
            int token = call(() -> p.pick(work));
            check(c, work);
            c.replace(work.ids(), work.logits(), work.probabilities(), work.size(), work.isSorted(), work.probabilitiesValid());
            if (c.indexOf(token) < 0) {
                throw fault("picked token " + token + ", which is not among the candidates", null);
            }
            return token;
        }

        @Override
        public void accept(int token) {
            call(() -> {
                p.accept(token);
                return null;
            });
        }

        @Override
        public void reset() {
            call(() -> {
                p.reset();
                return null;
            });
        }

        @Override
        public Picker copy() {
            return new GuardedPicker(call(p::copy));
        }

        @Override
        public void close() {
            p.close();
        }
    }
}
