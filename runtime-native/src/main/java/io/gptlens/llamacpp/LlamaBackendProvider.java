package io.gptlens.llamacpp;

import io.gptlens.core.model.Backend;
import io.gptlens.core.model.BackendProvider;

/** Provider {@code llama.cpp} of the {@link BackendProvider} SPI. */
public final class LlamaBackendProvider implements BackendProvider {

    private static final LlamaBackend BACKEND = new LlamaBackend();

    @Override
    public String name() {
        return "llama.cpp";
    }

    @Override
    public String description() {
        return "llama.cpp v0.5.0 (node-llama-cpp 3.22.1) through Java's FFM API, CPU or GPU";
    }

    @Override
    public Backend create() {
        LlamaLibrary.load();
        return BACKEND;
    }
}
