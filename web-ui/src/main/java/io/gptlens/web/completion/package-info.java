/**
 * One way through for every completion API: OpenAI's {@code /v1/completions} and
 * {@code /v1/chat/completions} and llama-server's {@code /completion} each translate their JSON
 * into a {@link io.gptlens.web.completion.CompletionRequest}; {@link io.gptlens.web.completion.CompletionService}
 * validates it, builds the sampler chain, resolves the tokenizer, renders a chat through the
 * model's template ({@link io.gptlens.web.completion.ChatTemplates}) and runs core's
 * {@link io.gptlens.core.generation.Generator}; the resources translate the
 * {@link io.gptlens.web.completion.Completion} back. Failures are {@link io.gptlens.web.completion.CompletionException}s
 * that only the REST layer maps to HTTP statuses.
 */
package io.gptlens.web.completion;
