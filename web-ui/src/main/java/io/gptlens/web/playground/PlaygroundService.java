package io.gptlens.web.playground;

import io.gptlens.web.config.GptLensConfig;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.plugins.TokenizerRegistry;
import io.gptlens.web.sampling.SamplerRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/** Opens playground sessions: one per browser tab and model. Thread-safe. */
@ApplicationScoped
public class PlaygroundService {

    private final ModelRegistry models;
    private final SamplerRegistry samplers;
    private final GptLensConfig config;
    private final TokenizerRegistry tokenizers;
    private final io.gptlens.web.internals.InternalsService internals;

    public PlaygroundService(ModelRegistry models, SamplerRegistry samplers, GptLensConfig config, TokenizerRegistry tokenizers,
                             io.gptlens.web.internals.InternalsService internals) {
        this.internals = internals;
        this.models = models;
        this.samplers = samplers;
        this.config = config;
        this.tokenizers = tokenizers;
    }

    /** The tokenizers a model's prompt can be cut with (its own and the providers, plugins included). */
    /** Looking inside the model (attention, residual norms, logit lens). */
    public io.gptlens.web.internals.InternalsService internals() {
        return internals;
    }

    public TokenizerRegistry tokenizers() {
        return tokenizers;
    }

    public ModelRegistry models() {
        return models;
    }

    public SamplerRegistry samplers() {
        return samplers;
    }

    /** A new session on a model; the caller closes it. */
    public PlaygroundSession open(LoadedModel model) {
        return new PlaygroundSession(model, models, samplers, config.contextLength());
    }
}
