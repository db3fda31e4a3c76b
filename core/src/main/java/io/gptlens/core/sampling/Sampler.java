package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;

/**
 * A stage that reshapes a candidate distribution: it may change logits, drop candidates and
 * reorder them, but must leave at least one candidate and no NaN logit. It never chooses.
 * Plugins implement this interface (it is deliberately not sealed).
 */
public non-sealed interface Sampler extends SamplerStage {

    /** Reshapes {@code candidates} in place. */
    void apply(Candidates candidates);

    @Override
    Sampler copy();
}
