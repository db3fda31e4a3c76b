package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;

/**
 * The last stage of a chain: chooses one token from the candidates. It may reshape the candidates
 * first (mirostat truncates); after {@link #pick} the chosen token's final probability is
 * available as {@code candidates.p(candidates.indexOf(token))} when probabilities are valid.
 */
public non-sealed interface Picker extends SamplerStage {

    /** Chooses a token and returns its id. */
    int pick(Candidates candidates);

    @Override
    Picker copy();
}
