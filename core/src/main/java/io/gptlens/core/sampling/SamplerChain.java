package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * An ordered list of {@link Sampler}s followed by exactly one {@link Picker}.
 *
 * <p><b>Ownership:</b> the chain owns its stages (as {@code llama_sampler_chain_add} takes
 * ownership): {@link #close()} closes them, {@link #copy()} copies them. <b>Thread-safety:</b> not
 * thread-safe; one generation uses one chain.
 *
 * <p>After every stage the chain checks the candidates: at least one left and no NaN logit.
 * A stage that breaks this, or throws, ends the sampling with a {@link SamplerException} naming
 * the stage.
 */
public final class SamplerChain implements ChainRunner {

    private final List<Sampler> samplers;
    private final Picker picker;
    private boolean closed;

    /**
     * A chain of {@code samplers} ending in {@code picker}; takes ownership of all of them.
     */
    public SamplerChain(List<? extends Sampler> samplers, Picker picker) {
        this.samplers = List.copyOf(samplers);
        this.picker = Objects.requireNonNull(picker, "a chain must end in a picker");
    }

    /**
     * A chain from stages in order; the last must be the only {@link Picker}.
     *
     * @throws IllegalArgumentException if the stages do not end in exactly one picker
     */
    public static SamplerChain of(List<? extends SamplerStage> stages) {
        if (stages.isEmpty() || !(stages.getLast() instanceof Picker p)) {
            throw new IllegalArgumentException("A sampler chain must end in a picker (e.g. dist or greedy); got "
                    + stages.stream().map(SamplerStage::name).collect(Collectors.joining(" -> ", "[", "]")));
        }
        List<Sampler> reshapers = new ArrayList<>();
        for (SamplerStage s : stages.subList(0, stages.size() - 1)) {
            switch (s) {
                case Sampler r -> reshapers.add(r);
                case Picker other -> throw new IllegalArgumentException(
                        "'" + other.name() + "' picks a token, so it can only be the last stage of a chain");
            }
        }
        return new SamplerChain(reshapers, p);
    }

    /** The reshaping stages, in order. */
    public List<Sampler> samplers() {
        return samplers;
    }

    /** The final stage. */
    public Picker picker() {
        return picker;
    }

    /** All stage names in order, e.g. "top-k -> top-p -> dist". */
    @Override
    public String describe() {
        List<String> names = new ArrayList<>();
        samplers.forEach(s -> names.add(s.name()));
        names.add(picker.name());
        return String.join(" -> ", names);
    }

    /** Applies every sampler to {@code candidates} and lets the picker choose. Does not call {@link #accept}. */
    @Override
    public int sample(Candidates candidates) {
        ensureOpen();
        for (Sampler s : samplers) {
            try {
                s.apply(candidates);
            } catch (RuntimeException e) {
                throw new SamplerException(s.name(), "failed: " + e, e);
            }
            check(s.name(), candidates);
        }
        int token;
        try {
            token = picker.pick(candidates);
        } catch (RuntimeException e) {
            throw new SamplerException(picker.name(), "failed: " + e, e);
        }
        if (candidates.indexOf(token) < 0) {
            throw new SamplerException(picker.name(), "picked token " + token + ", which is not among the candidates");
        }
        return token;
    }

    /** Tells every stage that {@code token} was chosen. */
    @Override
    public void accept(int token) {
        ensureOpen();
        samplers.forEach(s -> s.accept(token));
        picker.accept(token);
    }

    /** Resets every stage. */
    public void reset() {
        ensureOpen();
        samplers.forEach(SamplerStage::reset);
        picker.reset();
    }

    /** An independent chain with copies of every stage in their current state. */
    public SamplerChain copy() {
        ensureOpen();
        return new SamplerChain(samplers.stream().map(Sampler::copy).toList(), picker.copy());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        samplers.forEach(SamplerStage::close);
        picker.close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Sampler chain is closed");
        }
    }

    private static void check(String stage, Candidates c) {
        if (c.size() < 1) {
            throw new SamplerException(stage, "left no candidates");
        }
        for (int i = 0; i < c.size(); i++) {
            if (Float.isNaN(c.logit(i))) {
                throw new SamplerException(stage, "produced a NaN logit for token " + c.id(i));
            }
        }
    }
}
