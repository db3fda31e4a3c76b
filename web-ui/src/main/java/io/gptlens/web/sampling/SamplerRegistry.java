package io.gptlens.web.sampling;

import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.StageSpec;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * Every sampler the server knows: the built-in Java samplers, llama.cpp's ({@code llama.*}) and
 * those of plugins on the classpath, found once through {@link java.util.ServiceLoader}. Thread-safe.
 */
@ApplicationScoped
public class SamplerRegistry {

    private final NamedProviders<SamplerProvider> providers =
            NamedProviders.load(SamplerProvider.class, SamplerRegistry.class.getClassLoader());

    /** All providers by name. */
    public NamedProviders<SamplerProvider> providers() {
        return providers;
    }

    /** A chain of the given stages (see {@link SamplerChains#build}). */
    public SamplerChain chain(List<StageSpec> stages, long seed) {
        return SamplerChains.build(providers, stages, seed);
    }
}
