package io.gptlens.core.sampling;

/**
 * One stage of a {@link SamplerChain}, modelled on llama.cpp's {@code llama_sampler_i}. A stage is
 * either a {@link Sampler}, which reshapes a candidate distribution, or a {@link Picker}, which
 * chooses one token from it; the two are different types so that a chain can only end in a picker.
 *
 * <p>Hooks, as in {@code llama_sampler_i}: {@link #name()} and the type's {@code apply}/{@code pick}
 * are required; {@link #accept(int)} (told each token that was finally chosen, for stateful stages
 * such as penalties) and {@link #reset()} are optional and do nothing by default; {@link #copy()}
 * is required and returns an independent stage in the same state. {@link #close()} frees native
 * resources where a stage holds any; the owning chain calls it.
 *
 * <p><b>Thread-safety:</b> a stage is used by one thread at a time (its chain's); copies are
 * independent.
 */
public sealed interface SamplerStage extends AutoCloseable permits Sampler, Picker {

    /** The provider name this stage was made by, e.g. {@code "top-p"}. */
    String name();

    /** Informs the stage that {@code token} was chosen. Default: nothing. */
    default void accept(int token) {
    }

    /** Forgets all state (history, adaptive values, random state back to its seed). Default: nothing. */
    default void reset() {
    }

    /** An independent copy in the same state. */
    SamplerStage copy();

    /** Frees native resources, if any. Idempotent. Default: nothing. */
    @Override
    default void close() {
    }
}
