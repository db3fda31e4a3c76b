package io.gptlens.web.sampling;

import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.StageSpec;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * Every sampler the server knows: the built-in Java samplers, llama.cpp's ({@code llama.*}), those
 * of plugins on the classpath and those of the jars in the plugins folder. Thread-safe.
 */
@ApplicationScoped
public class SamplerRegistry {

    private final io.gptlens.web.plugins.PluginManager plugins;

    public SamplerRegistry(io.gptlens.web.plugins.PluginManager plugins) {
        this.plugins = plugins;
    }

    /** All providers by name, those of plugin jars in the plugins folder included (a new snapshot when they change). */
    public NamedProviders<SamplerProvider> providers() {
        return plugins.samplers();
    }

    /** Calls {@code listener} whenever samplers come, go or are configured; returns what removes it. */
    public Runnable onChange(Runnable listener) {
        return plugins.addChangeListener(listener);
    }

    /**
     * A chain of the given stages for {@code model}: the global samplers plus the model's own
     * ({@link io.gptlens.core.model.Model#samplerProviders()}, e.g. {@code llama.grammar}).
     */
    public SamplerChain chain(io.gptlens.core.model.Model model, List<StageSpec> stages, long seed) {
        List<SamplerProvider> own = model.samplerProviders();
        if (own.isEmpty()) {
            return chain(stages, seed);
        }
        List<SamplerProvider> all = new java.util.ArrayList<>(providers().all().values());
        all.addAll(own);
        return SamplerChains.build(NamedProviders.of("SamplerProvider", all), stages, seed);
    }

    /** A chain of the given stages (see {@link SamplerChains#build}). */
    public SamplerChain chain(List<StageSpec> stages, long seed) {
        return SamplerChains.build(providers(), stages, seed);
    }
}
