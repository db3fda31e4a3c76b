package io.gptlens.core.model;

import io.gptlens.core.plugin.NamedProvider;

/**
 * Makes a {@link Backend}; found through {@link java.util.ServiceLoader}.
 */
public interface BackendProvider extends NamedProvider {

    /**
     * Creates (or returns the shared) backend.
     *
     * @throws IllegalStateException if the runtime cannot start (e.g. its native library is missing), with what to do
     */
    Backend create();
}
