package io.gptlens.web.completion;

import io.gptlens.core.sampling.StageSpec;

import java.util.List;
import java.util.Map;

/**
 * How to pick tokens, as the APIs say it. Every field may be null, meaning its default:
 * temperature 1, top-k off, top-p 1, min-p 0, a random seed, no penalties, no bias, the standard
 * chain (llama.cpp's order) run by GPTLens in Java. {@code samplers}, when given, replaces the
 * standard chain; penalties and the logit bias still come first.
 *
 * @param temperature      softmax temperature, >= 0 (0: the argmax)
 * @param topK             keep the k most probable; 0 = off
 * @param topP             nucleus mass in (0, 1]; 1 = off
 * @param minP             fraction of the top probability, [0, 1]; 0 = off
 * @param seed             -1 or null = random
 * @param presencePenalty  OpenAI's: subtracted once from a token that already occurred, [-2, 2]
 * @param frequencyPenalty OpenAI's: subtracted per occurrence, [-2, 2]
 * @param repeatPenalty    llama.cpp's repetition penalty (1 = none)
 * @param penaltyLastN     how many recent tokens the penalties look at (default 64; -1 = the whole context)
 * @param logitBias        token id → bias added to its logit ({@code -inf} or -100 bans it)
 * @param samplers         an explicit chain of stages, in order
 * @param runtime          {@code java} (GPTLens runs the chain stage by stage) or {@code llama.cpp}
 *                         (one llama_sampler_chain calling Java stages back)
 */
public record Sampling(Double temperature, Integer topK, Double topP, Double minP, Long seed, Double presencePenalty,
                       Double frequencyPenalty, Double repeatPenalty, Integer penaltyLastN, Map<Integer, Double> logitBias,
                       List<StageSpec> samplers, String runtime) {

    /** {@code runtime} values. */
    public static final String JAVA = "java";
    public static final String NATIVE = "llama.cpp";

    public Sampling {
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        samplers = samplers == null ? null : List.copyOf(samplers);
    }

    /** Every default. */
    public static Sampling defaults() {
        return new Sampling(null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
