package io.gptlens.web.completion;

import io.gptlens.web.chat.ChatMessage;
import io.gptlens.web.steering.SteeringService;

import java.util.List;

/**
 * A completion request in no API's shape: what OpenAI's completions and chat and llama-server's
 * {@code /completion} have in common. Null means the default.
 *
 * @param model        model id (null: the default model)
 * @param prompt       the prompt (null: empty text); ignored for a chat
 * @param messages     a chat: rendered through the model's chat template, with the generation prompt; null for a plain completion
 * @param maxTokens    tokens to generate at most (null: until the end of generation or the context is full)
 * @param sampling     how to pick tokens (null: {@link Sampling#defaults()})
 * @param stop         stop strings (null: none)
 * @param logprobs     alternatives to report per token, 0..20 (null: no logprobs at all)
 * @param echo         score the prompt's own tokens and report them before the generated ones
 * @param postSampling also report each token's probability after the sampler chain, with the chain's top tokens
 * @param tokenizer    a tokenizer by name (null: the model's own)
 * @param grammar      a GBNF grammar the output must follow (null: none)
 * @param jsonObject   the output must be one JSON object ({@code response_format: {"type": "json_object"}})
 * @param n            how many choices (only 1 is supported; null: 1)
 * @param steering     directions added to the residual stream while the prompt and the answer are computed (null: none)
 */
public record CompletionRequest(String model, PromptInput prompt, List<ChatMessage> messages, Integer maxTokens, Sampling sampling,
                                List<String> stop, Integer logprobs, boolean echo, boolean postSampling, String tokenizer, String grammar,
                                boolean jsonObject, Integer n, List<SteeringService.Applied> steering) {

    public CompletionRequest {
        messages = messages == null ? null : List.copyOf(messages);
        stop = stop == null ? List.of() : List.copyOf(stop);
        sampling = sampling == null ? Sampling.defaults() : sampling;
        steering = steering == null ? List.of() : List.copyOf(steering);
    }

    /** True for a chat. */
    public boolean isChat() {
        return messages != null;
    }
}
