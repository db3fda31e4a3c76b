package io.gptlens.web.playground;

import io.gptlens.web.config.GptLensConfig;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.plugins.TokenizerRegistry;
import io.gptlens.web.sampling.SamplerRegistry;
import io.gptlens.web.security.AdminGuard;
import io.gptlens.web.steering.SteeringComparison;
import io.gptlens.web.steering.SteeringControl;
import io.gptlens.web.steering.SteeringService;
import jakarta.enterprise.context.ApplicationScoped;

/** Opens playground sessions: one per browser tab and model. Thread-safe. */
@ApplicationScoped
public class PlaygroundService {

    private final ModelRegistry models;
    private final SamplerRegistry samplers;
    private final GptLensConfig config;
    private final TokenizerRegistry tokenizers;
    private final io.gptlens.web.completion.CompletionService completions;
    private final SteeringService steering;
    private final SteeringComparison comparison;
    private final AdminGuard admin;

    public PlaygroundService(ModelRegistry models, SamplerRegistry samplers, GptLensConfig config, TokenizerRegistry tokenizers,
                             io.gptlens.web.completion.CompletionService completions, SteeringService steering, SteeringComparison comparison,
                             AdminGuard admin) {
        this.completions = completions;
        this.steering = steering;
        this.comparison = comparison;
        this.admin = admin;
        this.models = models;
        this.samplers = samplers;
        this.config = config;
        this.tokenizers = tokenizers;
    }

    /** Scoring texts and rendering chats (the completion service the APIs use). */
    public io.gptlens.web.completion.CompletionService completions() {
        return completions;
    }

    /** The steering panel's wiring for a page whose session this service opened. */
    public SteeringControl steering(java.util.function.Supplier<PlaygroundSession> session, java.util.function.Supplier<SteeringControl.Settings> settings,
                                    Runnable redraw) {
        return new SteeringControl(steering, comparison, admin, () -> {
            PlaygroundSession s = session.get();
            return s == null ? null : s.model();
        }, session, settings, redraw);
    }

    public ModelRegistry models() {
        return models;
    }

    public SamplerRegistry samplers() {
        return samplers;
    }

    /**
     * A prompt's tokens, and how they compare with the model's own tokenizer.
     *
     * @param note empty for the model's own tokenizer; else the comparison, or why the chosen one failed
     */
    public record PromptTokens(int[] ids, String note) {
    }

    /**
     * Cuts {@code text} with the tokenizer named {@code tokenizer} ({@link TokenizerRegistry#OWN}:
     * the model's own). A tokenizer that fails is reported in the note, and the model's own tokens are used.
     */
    public PromptTokens tokenize(PlaygroundSession session, String text, String tokenizer) {
        int[] own = session.tokenize(text);
        if (tokenizer == null || tokenizer.equals(TokenizerRegistry.OWN)) {
            return new PromptTokens(own, "");
        }
        int[] ids;
        try {
            ids = tokenizers.forModel(session.model(), tokenizer).encode(text, true, true);
        } catch (RuntimeException e) {
            return new PromptTokens(own, tokenizer + " failed, the model's own tokens are shown: " + e.getMessage());
        }
        int first = java.util.Arrays.mismatch(ids, own);
        return new PromptTokens(ids, first < 0 ? "Same " + ids.length + " tokens as the model's own tokenizer"
                : "Differs from the model's own tokenizer: " + ids.length + " vs " + own.length + " tokens, first at token " + first);
    }

    /** The tokenizers, plugins included, that read {@code model}'s vocabulary, the model's own first. */
    public java.util.List<String> tokenizerNames(LoadedModel model) {
        return tokenizers.choices(model).stream().filter(TokenizerRegistry.Choice::supported).map(TokenizerRegistry.Choice::name).toList();
    }

    /** A new session on a model; the caller closes it. */
    public PlaygroundSession open(LoadedModel model) {
        return new PlaygroundSession(model, models, samplers, config.contextLength());
    }
}
