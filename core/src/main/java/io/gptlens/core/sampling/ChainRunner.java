package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;

/**
 * Something that runs a {@link SamplerChain}'s stages: the chain itself (in Java, stage by stage)
 * or a backend that runs the whole chain natively, calling Java stages back where they sit (see
 * {@link io.gptlens.core.model.Session#runNatively(SamplerChain)}).
 *
 * <p><b>Ownership:</b> a runner made by a session owns only what it created natively; the chain
 * still owns its stages and must outlive the runner. <b>Thread-safety:</b> none; one generation
 * uses one runner.
 */
public interface ChainRunner extends AutoCloseable {

    /**
     * Runs every stage over {@code candidates} and returns the picked token; afterwards
     * {@code candidates} hold the distribution the token was picked from. Does not call
     * {@link #accept}.
     *
     * @throws SamplerException naming the stage that failed
     */
    int sample(Candidates candidates);

    /** Tells every stage that {@code token} was chosen. */
    void accept(int token);

    /** The stages in order, e.g. "top-k -> top-p -> dist", with where they run. */
    String describe();

    @Override
    void close();
}
