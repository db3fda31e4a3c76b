package io.gptlens.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gptlens.web.completion.Completion;

/**
 * llama-server's {@code timings}: milliseconds and rates of the prompt and the generation. As
 * llama-server counts them, the generation's rate leaves out the first token, which comes with
 * the prompt's evaluation ({@code predicted_per_second = 1000 × (n − 1) / predicted_ms}).
 */
record Timings(@JsonProperty("cache_n") int cacheN, @JsonProperty("prompt_n") int promptN, @JsonProperty("prompt_ms") double promptMs,
               @JsonProperty("prompt_per_token_ms") double promptPerTokenMs, @JsonProperty("prompt_per_second") double promptPerSecond,
               @JsonProperty("predicted_n") int predictedN, @JsonProperty("predicted_ms") double predictedMs,
               @JsonProperty("predicted_per_token_ms") double predictedPerTokenMs,
               @JsonProperty("predicted_per_second") double predictedPerSecond) {

    static Timings of(Completion.Timings t) {
        int steps = Math.max(0, t.predictedN() - 1);
        return new Timings(0, t.promptN(), t.promptMs(), t.promptN() == 0 ? 0 : t.promptMs() / t.promptN(),
                t.promptMs() <= 0 ? 0 : 1000.0 * t.promptN() / t.promptMs(), t.predictedN(), t.predictedMs(),
                steps == 0 ? 0 : t.predictedMs() / steps, t.predictedMs() <= 0 || steps == 0 ? 0 : 1000.0 * steps / t.predictedMs());
    }
}
