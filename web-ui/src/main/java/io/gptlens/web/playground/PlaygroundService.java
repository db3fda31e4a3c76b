package io.gptlens.web.playground;

import io.gptlens.web.config.GptLensConfig;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.sampling.SamplerRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/** Opens playground sessions: one per browser tab and model. Thread-safe. */
@ApplicationScoped
public class PlaygroundService {

    private final ModelRegistry models;
    private final SamplerRegistry samplers;
    private final GptLensConfig config;

    public PlaygroundService(ModelRegistry models, SamplerRegistry samplers, GptLensConfig config) {
        this.models = models;
        this.samplers = samplers;
        this.config = config;
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
