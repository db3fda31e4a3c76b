package io.gptlens.web.plugins;

import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.core.plugin.Params;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.SamplerStage;

import java.util.List;
import java.util.Map;

/**
 * A sampler provider with parameter defaults configured on {@code /plugins}: its
 * {@link #params()} carry the configured values as defaults, so a chain that names the sampler
 * without a value gets the configured one, and forms start from it. Values given explicitly still
 * win. Immutable.
 */
final class ConfiguredSamplerProvider implements SamplerProvider {

    private final SamplerProvider delegate;
    private final List<ParamSpec> params;

    /** {@code values} must have been validated against {@code delegate.params()}. */
    ConfiguredSamplerProvider(SamplerProvider delegate, Map<String, Object> values) {
        this.delegate = delegate;
        this.params = delegate.params().stream()
                .map(s -> values.containsKey(s.name()) ? new ParamSpec(s.name(), s.type(), s.min(), s.max(), values.get(s.name()), s.doc()) : s)
                .toList();
    }

    SamplerProvider delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public String version() {
        return delegate.version();
    }

    @Override
    public List<ParamSpec> params() {
        return params;
    }

    @Override
    public Kind kind() {
        return delegate.kind();
    }

    @Override
    public SamplerStage create(Params p) {
        return delegate.create(p);
    }
}
