package io.gptlens.web.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptlens.web.completion.Completion;
import io.gptlens.web.completion.CompletionRequest;
import io.gptlens.web.completion.CompletionService;
import io.gptlens.web.completion.Sampling;
import io.gptlens.web.completion.TokenLogprob;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.plugins.TokenizerRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * OpenAI's {@code POST /v1/chat/completions} (also at llama-server's {@code /chat/completions}):
 * the messages go through the model's chat template (see {@code ChatTemplates}) and the rendered
 * prompt through the same completion service as {@code /v1/completions}, with the same GPTLens
 * extensions ({@code samplers}, {@code sampler_runtime}, {@code top_k}, {@code min_p},
 * {@code tokenizer}, {@code grammar}). {@code logprobs: true} with {@code top_logprobs} (0–20)
 * answers in the chat shape, {@code choices[0].logprobs.content[]}. {@code stream: true} sends
 * {@code chat.completion.chunk}s: first the role, then the text, then the finish reason, then,
 * with {@code stream_options.include_usage}, the usage; then {@code data: [DONE]}.
 */
@Path("/")
public class ChatCompletionsResource {

    private final CompletionService completions;
    private final ModelRegistry registry;
    private final TokenizerRegistry tokenizers;
    private final ObjectMapper json;

    public ChatCompletionsResource(CompletionService completions, ModelRegistry registry, TokenizerRegistry tokenizers, ObjectMapper json) {
        this.completions = completions;
        this.registry = registry;
        this.tokenizers = tokenizers;
        this.json = json;
    }

    /** {@code stream_options}. */
    public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {
    }

    /** The request body (unknown fields are ignored, as OpenAI clients send extras). */
    public record Body(String model, JsonNode messages, @JsonProperty("max_tokens") Integer maxTokens,
                       @JsonProperty("max_completion_tokens") Integer maxCompletionTokens, Double temperature,
                       @JsonProperty("top_p") Double topP, @JsonProperty("top_k") Integer topK, @JsonProperty("min_p") Double minP,
                       Long seed, JsonNode stop, Boolean logprobs, @JsonProperty("top_logprobs") Integer topLogprobs, Boolean stream,
                       @JsonProperty("stream_options") StreamOptions streamOptions,
                       @JsonProperty("presence_penalty") Double presencePenalty, @JsonProperty("frequency_penalty") Double frequencyPenalty,
                       @JsonProperty("logit_bias") JsonNode logitBias, List<RequestFields.SamplerSpec> samplers, Integer n,
                       @JsonProperty("sampler_runtime") String samplerRuntime, String tokenizer, String grammar,
                       @JsonProperty("response_format") JsonNode responseFormat, List<RequestFields.SteeringSpec> steering) {
    }

    /** One alternative in the chat shape. */
    public record TopLogprob(String token, double logprob, List<Integer> bytes) {
    }

    /** One token in the chat shape (plus GPTLens's {@code id}). */
    public record ContentLogprob(int id, String token, double logprob, List<Integer> bytes,
                                 @JsonProperty("top_logprobs") List<TopLogprob> topLogprobs) {
        static ContentLogprob of(TokenLogprob e) {
            return new ContentLogprob(e.id(), e.text(), e.logprob(), ChatCompletionsResource.bytes(e.bytes()),
                    e.top().stream().map(a -> new TopLogprob(a.text(), a.logprob(), ChatCompletionsResource.bytes(a.bytes()))).toList());
        }
    }

    /** {@code logprobs}: one entry per generated token. */
    public record ChatLogprobs(List<ContentLogprob> content) {
        static ChatLogprobs of(List<TokenLogprob> entries) {
            return new ChatLogprobs(entries.stream().map(ContentLogprob::of).toList());
        }
    }

    /** The assistant's message, or a stream's delta (fields left out when they did not change). */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record Message(String role, @JsonInclude(JsonInclude.Include.ALWAYS) String content) {
    }

    /** A delta: only what changed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content) {
    }

    /** One choice of the answer. */
    public record Choice(int index, Message message, ChatLogprobs logprobs, @JsonProperty("finish_reason") String finishReason) {
    }

    /** One choice of a chunk. */
    public record ChunkChoice(int index, Delta delta, ChatLogprobs logprobs, @JsonProperty("finish_reason") String finishReason) {
    }

    /** The answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatCompletion(String id, String object, long created, String model,
                                 @JsonProperty("system_fingerprint") String systemFingerprint, List<Choice> choices,
                                 CompletionsResource.Usage usage, Long seed, List<CompletionsResource.Stage> samplers,
                                 @JsonProperty("sampler_runtime") String samplerRuntime, String chain, Timings timings) {
    }

    /** A chunk of a stream. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Chunk(String id, String object, long created, String model, @JsonProperty("system_fingerprint") String systemFingerprint,
                        List<ChunkChoice> choices, CompletionsResource.Usage usage, Timings timings) {
    }

    @POST
    @Path("v1/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response chat(Body b, @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest request) {
        if (b == null) {
            throw new ApiException(400, "A JSON body is required, e.g. {\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}");
        }
        var model = registry.resolve(b.model());
        var tokenizer = tokenizers.forModel(model, b.tokenizer());
        boolean logprobs = Boolean.TRUE.equals(b.logprobs());
        if (b.topLogprobs() != null && !logprobs) {
            throw new ApiException(400, "'top_logprobs' needs 'logprobs': true");
        }
        Integer maxTokens = b.maxCompletionTokens() != null ? b.maxCompletionTokens() : b.maxTokens();
        Sampling sampling = new Sampling(b.temperature(), b.topK(), b.topP(), b.minP(), b.seed(), b.presencePenalty(), b.frequencyPenalty(),
                null, null, RequestFields.logitBias(b.logitBias(), tokenizer), RequestFields.samplers(b.samplers()), b.samplerRuntime());
        CompletionRequest r = new CompletionRequest(model.id(), null, RequestFields.messages(b.messages()), maxTokens, sampling,
                RequestFields.stop(b.stop()), logprobs ? (b.topLogprobs() == null ? 0 : b.topLogprobs()) : null, false, false, b.tokenizer(),
                b.grammar(), RequestFields.jsonObject(b.responseFormat()), b.n(), RequestFields.steering(b.steering()));
        CompletionService.Prepared p = completions.prepare(r);
        String id = "chatcmpl-" + UUID.randomUUID();
        long created = Instant.now().getEpochSecond();
        if (!Boolean.TRUE.equals(b.stream())) {
            Completion c = completions.run(p, d -> { }, () -> false);
            Choice choice = new Choice(0, new Message("assistant", c.text()), logprobs ? ChatLogprobs.of(c.logprobs()) : null,
                    c.reason().finishReason());
            return Response.ok(new ChatCompletion(id, "chat.completion", created, c.model(), Fingerprint.VALUE, List.of(choice),
                    CompletionsResource.Usage.of(c), c.seed(), CompletionsResource.Stage.of(c.chain()), c.runtime(), c.chainText(),
                    Timings.of(c.timings()))).type(MediaType.APPLICATION_JSON).build();
        }
        boolean usage = b.streamOptions() != null && Boolean.TRUE.equals(b.streamOptions().includeUsage());
        String m = p.model().id();
        return EventStream.of(json, request, "[DONE]", events -> {
            events.send(chunk(id, created, m, new ChunkChoice(0, new Delta("assistant", null), null, null)));
            Completion c = completions.run(p, d -> {
                if (d.text().isEmpty() && d.logprob() == null) {
                    return;
                }
                events.send(chunk(id, created, m, new ChunkChoice(0, new Delta(null, d.text()),
                        d.logprob() == null ? null : ChatLogprobs.of(List.of(d.logprob())), null)));
            }, events::gone);
            Timings t = Timings.of(c.timings());
            events.send(new Chunk(id, "chat.completion.chunk", created, m, Fingerprint.VALUE,
                    List.of(new ChunkChoice(0, new Delta(null, null), null, c.reason().finishReason())), null, usage ? null : t));
            if (usage) {
                events.send(new Chunk(id, "chat.completion.chunk", created, m, Fingerprint.VALUE, List.of(), CompletionsResource.Usage.of(c), t));
            }
        });
    }

    /** llama-server's path for the same. */
    @POST
    @Path("chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response chatAlias(Body b, @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest request) {
        return chat(b, request);
    }

    private static Chunk chunk(String id, long created, String model, ChunkChoice choice) {
        return new Chunk(id, "chat.completion.chunk", created, model, Fingerprint.VALUE, List.of(choice), null, null);
    }

    static List<Integer> bytes(byte[] b) {
        List<Integer> out = new ArrayList<>(b.length);
        for (byte x : b) {
            out.add(x & 0xFF);
        }
        return out;
    }
}
