package io.gptlens.core.sampling;

import io.gptlens.core.plugin.NamedProvider;
import io.gptlens.core.plugin.Params;

import java.util.Map;

/**
 * Makes sampler stages by name. Built-in samplers, llama.cpp's native samplers and plugin samplers
 * are all providers found through {@link java.util.ServiceLoader}.
 *
 * <p>Implementations are stateless and thread-safe; each {@link #create} returns a new stage.
 */
public interface SamplerProvider extends NamedProvider {

    /** Whether the stages this provider makes reshape or pick. */
    enum Kind { RESHAPE, PICK }

    /** The kind of stage {@link #create} returns. */
    Kind kind();

    /** A new stage with validated parameters. */
    SamplerStage create(Params params);

    /**
     * A new stage from raw values: validates them against {@link #params()} and fills defaults.
     *
     * @throws IllegalArgumentException naming a bad or unknown parameter
     */
    default SamplerStage create(Map<String, ?> params) {
        return create(Params.of(name(), params(), params));
    }
}
