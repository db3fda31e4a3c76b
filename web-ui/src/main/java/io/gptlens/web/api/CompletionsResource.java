package io.gptlens.web.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptlens.core.sampling.StageSpec;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * OpenAI's {@code POST /v1/completions}, with the extensions {@code top_k}, {@code min_p},
 * {@code samplers} (an ordered list of {@code {"name", "params"}} that replaces the default chain),
 * {@code sampler_runtime}, {@code tokenizer} and {@code grammar} (GBNF).
 *
 * <p>{@code prompt} is text or a list of token ids. Probabilities in {@code logprobs} are the
 * model's own (softmax of the raw logits at temperature 1) before any sampler reshaped them. With
 * {@code echo: true} the prompt comes back first, and with {@code logprobs} each of its tokens
 * with its log-probability given the ones before it (the first {@code null}); {@code max_tokens: 0}
 * then scores without generating (what lm-evaluation-harness asks for log-likelihoods).
 * {@code stream: true} answers with server-sent events, one per token, ending with
 * {@code data: [DONE]}; a fault after the first event ends the stream with
 * {@code data: {"error": {...}}} instead, the message naming the plugin when one caused it.
 */
@Path("/v1/completions")
public class CompletionsResource {

    private final CompletionService completions;
    private final ModelRegistry registry;
    private final TokenizerRegistry tokenizers;
    private final ObjectMapper json;

    public CompletionsResource(CompletionService completions, ModelRegistry registry, TokenizerRegistry tokenizers, ObjectMapper json) {
        this.completions = completions;
        this.registry = registry;
        this.tokenizers = tokenizers;
        this.json = json;
    }

    /** The request body (unknown fields are ignored, as OpenAI clients send extras). */
    public record Body(String model, JsonNode prompt, @JsonProperty("max_tokens") Integer maxTokens, Double temperature,
                       @JsonProperty("top_p") Double topP, @JsonProperty("top_k") Integer topK, @JsonProperty("min_p") Double minP,
                       Long seed, JsonNode stop, Integer logprobs, Boolean echo, Boolean stream,
                       @JsonProperty("presence_penalty") Double presencePenalty, @JsonProperty("frequency_penalty") Double frequencyPenalty,
                       @JsonProperty("logit_bias") JsonNode logitBias, List<RequestFields.SamplerSpec> samplers, Integer n,
                       @JsonProperty("sampler_runtime") String samplerRuntime, String tokenizer, String grammar,
                       @JsonProperty("response_format") JsonNode responseFormat, List<RequestFields.SteeringSpec> steering) {
    }

    /** OpenAI's legacy logprobs: parallel lists, plus GPTLens's {@code token_ids}. */
    public record Logprobs(List<String> tokens, @JsonProperty("token_ids") List<Integer> tokenIds,
                           @JsonProperty("token_logprobs") List<Double> tokenLogprobs,
                           @JsonProperty("top_logprobs") List<Map<String, Double>> topLogprobs,
                           @JsonProperty("text_offset") List<Integer> textOffset) {

        static Logprobs of(List<TokenLogprob> entries) {
            List<String> tokens = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            List<Double> lps = new ArrayList<>();
            List<Map<String, Double>> top = new ArrayList<>();
            List<Integer> offsets = new ArrayList<>();
            for (TokenLogprob e : entries) {
                tokens.add(e.text());
                ids.add(e.id());
                boolean first = Double.isNaN(e.logprob());
                lps.add(first ? null : e.logprob());
                Map<String, Double> alts = null;
                if (!first) {
                    alts = new LinkedHashMap<>();
                    for (TokenLogprob.Alternative a : e.top()) {
                        alts.putIfAbsent(a.text(), a.logprob());
                    }
                }
                top.add(alts);
                offsets.add(e.offset());
            }
            return new Logprobs(tokens, ids, lps, top, offsets);
        }
    }

    /** One choice. */
    public record Choice(String text, int index, Logprobs logprobs, @JsonProperty("finish_reason") String finishReason) {
    }

    /** Token counts. */
    public record Usage(@JsonProperty("prompt_tokens") int promptTokens, @JsonProperty("completion_tokens") int completionTokens,
                        @JsonProperty("total_tokens") int totalTokens) {
        static Usage of(Completion c) {
            return new Usage(c.promptTokens().length, c.completionTokens(), c.promptTokens().length + c.completionTokens());
        }
    }

    /** A stage of the chain that ran. */
    public record Stage(String name, Map<String, Object> params) {
        static List<Stage> of(List<StageSpec> chain) {
            return chain.stream().map(s -> new Stage(s.name(), s.params())).toList();
        }
    }

    /** The answer, and (with {@code usage} and {@code timings}) the last event of a stream. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TextCompletion(String id, String object, long created, String model,
                                 @JsonProperty("system_fingerprint") String systemFingerprint, List<Choice> choices, Usage usage,
                                 Long seed, List<Stage> samplers, @JsonProperty("sampler_runtime") String samplerRuntime, String chain,
                                 Timings timings) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response complete(Body b, @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest request) {
        if (b == null) {
            throw new ApiException(400, "A JSON body is required, e.g. {\"prompt\": \"Once upon a time\", \"max_tokens\": 16}");
        }
        var model = registry.resolve(b.model());
        var tokenizer = tokenizers.forModel(model, b.tokenizer());
        Sampling sampling = new Sampling(b.temperature(), b.topK(), b.topP(), b.minP(), b.seed(), b.presencePenalty(), b.frequencyPenalty(),
                null, null, RequestFields.logitBias(b.logitBias(), tokenizer), RequestFields.samplers(b.samplers()), b.samplerRuntime());
        boolean echo = Boolean.TRUE.equals(b.echo());
        CompletionRequest r = new CompletionRequest(model.id(), RequestFields.prompt(b.prompt()), null, b.maxTokens() == null ? 16 : b.maxTokens(),
                sampling, RequestFields.stop(b.stop()), b.logprobs(), echo, false, b.tokenizer(), b.grammar(),
                RequestFields.jsonObject(b.responseFormat()), b.n(), RequestFields.steering(b.steering()));
        CompletionService.Prepared p = completions.prepare(r);
        String id = "cmpl-" + UUID.randomUUID();
        long created = Instant.now().getEpochSecond();
        boolean logprobs = b.logprobs() != null;
        if (!Boolean.TRUE.equals(b.stream())) {
            Completion c = completions.run(p, d -> { }, () -> false);
            List<TokenLogprob> all = new ArrayList<>(c.promptLogprobs());
            all.addAll(c.logprobs());
            String text = echo ? c.prompt() + c.text() : c.text();
            Choice choice = new Choice(text, 0, logprobs ? Logprobs.of(all) : null, c.reason().finishReason());
            return Response.ok(new TextCompletion(id, "text_completion", created, c.model(), Fingerprint.VALUE, List.of(choice), Usage.of(c),
                    c.seed(), Stage.of(c.chain()), c.runtime(), c.chainText(), Timings.of(c.timings()))).type(MediaType.APPLICATION_JSON).build();
        }
        return EventStream.of(json, request, "[DONE]", events -> {
            Completion c = completions.run(p, d -> {
                if (d.text().isEmpty() && d.logprob() == null) {
                    return;
                }
                Logprobs lp = !logprobs ? null : !d.echoed().isEmpty() ? Logprobs.of(d.echoed())
                        : d.logprob() == null ? null : Logprobs.of(List.of(d.logprob()));
                Choice ch = new Choice(d.text(), 0, lp, null);
                events.send(new TextCompletion(id, "text_completion", created, p.model().id(), Fingerprint.VALUE, List.of(ch), null, null, null,
                        null, null, null));
            }, events::gone);
            Choice last = new Choice("", 0, null, c.reason().finishReason());
            events.send(new TextCompletion(id, "text_completion", created, c.model(), Fingerprint.VALUE, List.of(last), Usage.of(c), c.seed(),
                    null, null, null, Timings.of(c.timings())));
        });
    }
}
