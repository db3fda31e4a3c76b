package io.gptlens.core.plugin;

import java.util.List;

/**
 * Something found by name through {@link java.util.ServiceLoader}: a sampler, a tokenizer or a
 * backend. Names are lower-case words with dots or dashes ({@code top-p}, {@code llama.top-k}).
 *
 * <p>Implementations are stateless, thread-safe and have a public no-argument constructor.
 */
public interface NamedProvider {

    /** The unique name, e.g. {@code "top-p"}. */
    String name();

    /** One line that says what this does, with a reference to its definition where it has one. */
    String description();

    /** The provider's version; defaults to the jar's implementation version or "0". */
    default String version() {
        String v = getClass().getPackage() == null ? null : getClass().getPackage().getImplementationVersion();
        return v == null ? "0" : v;
    }

    /** The parameters this provider accepts, in the order a form shows them. Empty by default. */
    default List<ParamSpec> params() {
        return List.of();
    }
}
