package io.gptlens.core.sampling;

import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.core.plugin.Params;

import java.util.List;
import java.util.function.Function;

/**
 * A convenience base for providers: name, kind, description and parameters given once, and a
 * factory from validated {@link Params} to a stage. Subclasses need only a no-argument constructor.
 */
public abstract class BaseSamplerProvider implements SamplerProvider {

    private final String name;
    private final Kind kind;
    private final String description;
    private final List<ParamSpec> params;
    private final Function<Params, SamplerStage> factory;

    protected BaseSamplerProvider(String name, Kind kind, String description, List<ParamSpec> params,
                                  Function<Params, SamplerStage> factory) {
        this.name = name;
        this.kind = kind;
        this.description = description;
        this.params = List.copyOf(params);
        this.factory = factory;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Kind kind() {
        return kind;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final List<ParamSpec> params() {
        return params;
    }

    @Override
    public final SamplerStage create(Params p) {
        return factory.apply(p);
    }
}
