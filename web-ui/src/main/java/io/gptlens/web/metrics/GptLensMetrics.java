package io.gptlens.web.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * What {@code GET /metrics} reports (Prometheus's text format, through Quarkus Micrometer), with
 * llama-server's names where it has them ({@code llamacpp:prompt_tokens_total},
 * {@code llamacpp:tokens_predicted_total}, {@code llamacpp:prompt_tokens_seconds},
 * {@code llamacpp:predicted_tokens_seconds}, {@code llamacpp:requests_processing}, ...), so
 * dashboards made for llama-server work, plus GPTLens's own ({@code gptlens_*}): completions by
 * finish reason, prompt tokens scored, explorer index builds by outcome, plugin faults by plugin.
 * Thread-safe.
 */
@ApplicationScoped
public class GptLensMetrics {

    private final MeterRegistry registry;
    private final Counter promptTokens;
    private final Counter promptSeconds;
    private final Counter predictedTokens;
    private final Counter predictedSeconds;
    private final Counter decodes;
    private final Counter scoredTokens;
    private final AtomicInteger processing = new AtomicInteger();
    private final AtomicInteger maxTokens = new AtomicInteger();
    private final DoubleAdder promptN = new DoubleAdder();
    private final DoubleAdder promptS = new DoubleAdder();
    private final DoubleAdder predictedN = new DoubleAdder();
    private final DoubleAdder predictedS = new DoubleAdder();

    public GptLensMetrics(MeterRegistry registry) {
        this.registry = registry;
        promptTokens = Counter.builder("llamacpp:prompt_tokens").description("Number of prompt tokens processed").register(registry);
        promptSeconds = Counter.builder("llamacpp:prompt_seconds").description("Total time spent processing prompts").register(registry);
        predictedTokens = Counter.builder("llamacpp:tokens_predicted").description("Number of generation tokens processed").register(registry);
        predictedSeconds = Counter.builder("llamacpp:tokens_predicted_seconds").description("Total time spent generating tokens")
                .register(registry);
        decodes = Counter.builder("llamacpp:n_decode").description("Total number of llama_decode() calls").register(registry);
        scoredTokens = Counter.builder("gptlens_prompt_scored_tokens").description("Prompt tokens scored for their log-probabilities (echo)")
                .register(registry);
        Gauge.builder("llamacpp:prompt_tokens_seconds", this, m -> rate(m.promptN.sum(), m.promptS.sum()))
                .description("Average prompt throughput in tokens/s").register(registry);
        Gauge.builder("llamacpp:predicted_tokens_seconds", this, m -> rate(m.predictedN.sum(), m.predictedS.sum()))
                .description("Average generation throughput in tokens/s").register(registry);
        Gauge.builder("llamacpp:requests_processing", processing, AtomicInteger::get).description("Number of requests processing")
                .register(registry);
        Gauge.builder("llamacpp:n_tokens_max", maxTokens, AtomicInteger::get)
                .description("Largest observed sequence length (prompt + generation)").register(registry);
    }

    private static double rate(double n, double seconds) {
        return seconds <= 0 ? 0 : n / seconds;
    }

    /** A completion started running. */
    public void started() {
        processing.incrementAndGet();
    }

    /** A completion stopped running, however it ended. */
    public void ended() {
        processing.decrementAndGet();
    }

    /** A completion finished: its prompt and generated tokens and their times. */
    public void finished(int promptTokenCount, double promptMs, int predicted, double predictedMs, String finishReason) {
        promptTokens.increment(promptTokenCount);
        promptSeconds.increment(promptMs / 1000);
        predictedTokens.increment(predicted);
        predictedSeconds.increment(predictedMs / 1000);
        decodes.increment((promptTokenCount > 0 ? 1 : 0) + Math.max(0, predicted - 1));
        promptN.add(promptTokenCount);
        promptS.add(promptMs / 1000);
        predictedN.add(predicted);
        predictedS.add(predictedMs / 1000);
        maxTokens.accumulateAndGet(promptTokenCount + predicted, Math::max);
        Counter.builder("gptlens_completions").description("Completions by finish reason").tag("finish_reason", finishReason)
                .register(registry).increment();
    }

    /** Prompt tokens were scored (echo). */
    public void scored(int tokens) {
        scoredTokens.increment(tokens);
    }

    /** An explorer index build ended: {@code outcome} is {@code ready}, {@code failed} or {@code cancelled}. */
    public void indexBuild(String outcome, double seconds) {
        Counter.builder("gptlens_explorer_index_builds").description("Explorer index builds by outcome").tag("outcome", outcome)
                .register(registry).increment();
        Counter.builder("gptlens_explorer_index_build_seconds").description("Time spent building explorer indexes").register(registry)
                .increment(seconds);
    }

    /** A plugin's provider failed a call. */
    public void pluginFault(String provider) {
        Counter.builder("gptlens_plugin_faults").description("Plugin calls that failed, by provider").tag("plugin", provider)
                .register(registry).increment();
    }
}
