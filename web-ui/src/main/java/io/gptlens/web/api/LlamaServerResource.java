package io.gptlens.web.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptlens.core.generation.StopReason;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.web.completion.Completion;
import io.gptlens.web.completion.CompletionRequest;
import io.gptlens.web.completion.CompletionService;
import io.gptlens.web.completion.PromptInput;
import io.gptlens.web.completion.Sampling;
import io.gptlens.web.completion.TokenLogprob;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.plugins.TokenizerRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * llama-server's own API: {@code POST /completion} (also {@code /completions}) and
 * {@code POST /apply-template}, answered as llama-server answers them, plus the optional
 * {@code model} every GPTLens endpoint takes.
 *
 * <p>Sampling follows llama-server: its defaults (temperature 0.8, top-k 40, top-p 0.95,
 * min-p 0.05, penalties off) and its order ({@code penalties, dry, top_n_sigma, top_k, typ_p,
 * top_p, min_p, xtc, temperature}, then {@code dist}), run by llama.cpp's own samplers
 * ({@code llama.*} stages), so a seed gives what llama-server gives for the same logits.
 * {@code samplers} takes llama-server's names (or its one-letter string). Streaming sends one
 * event per token ({@code content}, {@code tokens}, {@code stop: false}) and a last one with
 * {@code stop: true} and everything else, with no {@code [DONE]}.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class LlamaServerResource {

    private final CompletionService completions;
    private final ModelRegistry registry;
    private final TokenizerRegistry tokenizers;
    private final ObjectMapper json;

    public LlamaServerResource(CompletionService completions, ModelRegistry registry, TokenizerRegistry tokenizers, ObjectMapper json) {
        this.completions = completions;
        this.registry = registry;
        this.tokenizers = tokenizers;
        this.json = json;
    }

    /** llama-server's default sampler order. */
    static final List<String> DEFAULT_SAMPLERS = List.of("penalties", "dry", "top_n_sigma", "top_k", "typ_p", "top_p", "min_p", "xtc",
            "temperature");

    /** The request body of {@code /completion} (unknown fields are ignored). */
    public record Body(String model, JsonNode prompt, @JsonProperty("n_predict") Integer nPredict,
                       @JsonProperty("max_tokens") Integer maxTokens, Boolean stream, Double temperature,
                       @JsonProperty("top_k") Integer topK, @JsonProperty("top_p") Double topP, @JsonProperty("min_p") Double minP,
                       @JsonProperty("typical_p") Double typicalP, @JsonProperty("top_n_sigma") Double topNSigma,
                       @JsonProperty("xtc_probability") Double xtcProbability, @JsonProperty("xtc_threshold") Double xtcThreshold,
                       @JsonProperty("dynatemp_range") Double dynatempRange, @JsonProperty("dynatemp_exponent") Double dynatempExponent,
                       @JsonProperty("repeat_penalty") Double repeatPenalty, @JsonProperty("repeat_last_n") Integer repeatLastN,
                       @JsonProperty("presence_penalty") Double presencePenalty, @JsonProperty("frequency_penalty") Double frequencyPenalty,
                       @JsonProperty("logit_bias") JsonNode logitBias, Long seed, JsonNode stop, JsonNode samplers,
                       @JsonProperty("n_probs") Integer nProbs, @JsonProperty("post_sampling_probs") Boolean postSamplingProbs,
                       @JsonProperty("return_tokens") Boolean returnTokens, @JsonProperty("cache_prompt") Boolean cachePrompt,
                       String grammar, @JsonProperty("json_schema") JsonNode jsonSchema, String tokenizer,
                       List<RequestFields.SteeringSpec> steering) {
    }

    /** One alternative of {@code completion_probabilities}: {@code logprob}, or {@code prob} after sampling. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Probability(int id, String token, List<Integer> bytes, Double logprob, Double prob) {
    }

    /** One entry of {@code completion_probabilities}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenProbabilities(int id, String token, List<Integer> bytes, Double logprob, Double prob,
                                     @JsonProperty("top_logprobs") List<Probability> topLogprobs,
                                     @JsonProperty("top_probs") List<Probability> topProbs) {

        static TokenProbabilities of(TokenLogprob e, boolean post) {
            List<Integer> bytes = ChatCompletionsResource.bytes(e.bytes());
            if (post) {
                double p = Double.isNaN(e.sampledProb()) ? 0 : e.sampledProb();
                return new TokenProbabilities(e.id(), e.text(), bytes, null, p, null, e.sampledTop().stream()
                        .map(a -> new Probability(a.id(), a.text(), ChatCompletionsResource.bytes(a.bytes()), null, Math.exp(a.logprob())))
                        .filter(x -> x.prob() > 0).toList());
            }
            return new TokenProbabilities(e.id(), e.text(), bytes, e.logprob(), null, e.top().stream()
                    .map(a -> new Probability(a.id(), a.text(), ChatCompletionsResource.bytes(a.bytes()), a.logprob(), null)).toList(), null);
        }
    }

    /** {@code generation_settings}: what the completion ran with. */
    public record GenerationSettings(long seed, double temperature, @JsonProperty("top_k") int topK, @JsonProperty("top_p") double topP,
                                     @JsonProperty("min_p") double minP, @JsonProperty("typical_p") double typicalP,
                                     @JsonProperty("repeat_last_n") int repeatLastN, @JsonProperty("repeat_penalty") double repeatPenalty,
                                     @JsonProperty("presence_penalty") double presencePenalty,
                                     @JsonProperty("frequency_penalty") double frequencyPenalty, List<String> stop,
                                     @JsonProperty("max_tokens") int maxTokens, @JsonProperty("n_predict") int nPredict, boolean stream,
                                     @JsonProperty("n_probs") int nProbs, String grammar, List<String> samplers,
                                     @JsonProperty("post_sampling_probs") boolean postSamplingProbs,
                                     @JsonProperty("cache_prompt") boolean cachePrompt, List<CompletionsResource.Stage> chain,
                                     @JsonProperty("sampler_runtime") String samplerRuntime) {
    }

    /** The answer (and, with {@code content} empty, a stream's last event). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Answer(int index, String content, int[] tokens, @JsonProperty("id_slot") int idSlot, boolean stop, String model,
                         @JsonProperty("tokens_predicted") int tokensPredicted, @JsonProperty("tokens_evaluated") int tokensEvaluated,
                         @JsonProperty("generation_settings") GenerationSettings generationSettings, String prompt,
                         @JsonProperty("has_new_line") boolean hasNewLine, boolean truncated, @JsonProperty("stop_type") String stopType,
                         @JsonProperty("stopping_word") String stoppingWord, @JsonProperty("tokens_cached") int tokensCached,
                         Timings timings, @JsonProperty("completion_probabilities") List<TokenProbabilities> completionProbabilities) {
    }

    /** A stream's event for one token. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Partial(int index, String content, int[] tokens, boolean stop, @JsonProperty("id_slot") int idSlot,
                          @JsonProperty("tokens_predicted") int tokensPredicted, @JsonProperty("tokens_evaluated") int tokensEvaluated,
                          @JsonProperty("completion_probabilities") List<TokenProbabilities> completionProbabilities) {
    }

    /** The request body of {@code /apply-template}. */
    public record TemplateBody(String model, JsonNode messages, @JsonProperty("add_generation_prompt") Boolean addGenerationPrompt) {
    }

    /** {@code /apply-template}'s answer. */
    public record Rendered(String prompt) {
    }

    @POST
    @Path("completion")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response completion(Body b, @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest request) {
        if (b == null || b.prompt() == null || b.prompt().isNull()) {
            throw new ApiException(400, "'prompt' is required: text or token ids, e.g. {\"prompt\": \"Once upon a time\", \"n_predict\": 16}");
        }
        var model = registry.resolve(b.model());
        var tokenizer = tokenizers.forModel(model, b.tokenizer());
        PromptInput prompt = prompt(b.prompt(), tokenizer);
        if (prompt instanceof PromptInput.Text t && t.text().isEmpty()) {
            throw new ApiException(400, "\"prompt\" must not be empty");
        }
        int nPredict = b.nPredict() != null ? b.nPredict() : b.maxTokens() != null ? b.maxTokens() : -1;
        if (nPredict < -1) {
            throw new ApiException(400, "Field 'n_predict': must be -1 (until the end or the context is full) or more, got " + nPredict);
        }
        long seed = b.seed() == null || b.seed() == -1 || b.seed() == 0xFFFFFFFFL
                ? java.util.concurrent.ThreadLocalRandom.current().nextLong(0xFFFFFFFFL) : b.seed(); // llama.cpp's seeds are 32-bit
        if (seed < 0 || seed > 0xFFFFFFFEL) {
            throw new ApiException(400, "Field 'seed': must be -1 (random) or in [0, 4294967294], got " + seed);
        }
        List<String> names = samplerNames(b.samplers());
        double temperature = b.temperature() == null ? 0.8 : b.temperature();
        int topK = b.topK() == null ? 40 : b.topK();
        double topP = b.topP() == null ? 0.95 : b.topP();
        double minP = b.minP() == null ? 0.05 : b.minP();
        List<StageSpec> chain = chain(names, b, temperature, topK, topP, minP, seed);
        Sampling sampling = new Sampling(null, null, null, null, seed, b.presencePenalty(), b.frequencyPenalty(), b.repeatPenalty(),
                b.repeatLastN(), RequestFields.logitBias(b.logitBias(), tokenizer), chain, null);
        int nProbs = b.nProbs() == null ? 0 : b.nProbs();
        boolean post = Boolean.TRUE.equals(b.postSamplingProbs());
        CompletionRequest r = new CompletionRequest(model.id(), prompt, null, nPredict < 0 ? null : nPredict, sampling,
                RequestFields.stop(b.stop()), nProbs > 0 ? nProbs : null, false, post, b.tokenizer(), b.grammar(),
                jsonSchema(b.jsonSchema()), null, RequestFields.steering(b.steering()));
        CompletionService.Prepared p = completions.prepare(r);
        boolean returnTokens = Boolean.TRUE.equals(b.returnTokens());
        boolean stream = Boolean.TRUE.equals(b.stream());
        GenerationSettings settings = new GenerationSettings(p.seed(), temperature, topK, topP, minP,
                b.typicalP() == null ? 1 : b.typicalP(), b.repeatLastN() == null ? 64 : b.repeatLastN(),
                b.repeatPenalty() == null ? 1 : b.repeatPenalty(), b.presencePenalty() == null ? 0 : b.presencePenalty(),
                b.frequencyPenalty() == null ? 0 : b.frequencyPenalty(), r.stop(), nPredict, nPredict, stream, nProbs,
                b.grammar() == null ? "" : b.grammar(), names, post, b.cachePrompt() == null || b.cachePrompt(),
                CompletionsResource.Stage.of(p.chain()), p.runtime());
        if (!stream) {
            Completion c = completions.run(p, d -> { }, () -> false);
            List<TokenProbabilities> probs = nProbs > 0 ? c.logprobs().stream().map(e -> TokenProbabilities.of(e, post)).toList() : null;
            return Response.ok(answer(c, c.text(), returnTokens ? c.tokens() : new int[0], settings, probs)).build();
        }
        int evaluated = p.promptTokens().length;
        return EventStream.of(json, request, null, events -> {
            // one event per token; text held back until the end (a possible stop string, a split character) joins the last one
            AtomicInteger predicted = new AtomicInteger();
            Partial[] pending = new Partial[1];
            Completion c = completions.run(p, d -> {
                if (d.token() < 0) {
                    Partial q = pending[0];
                    pending[0] = q == null ? new Partial(0, d.text(), new int[0], false, 0, predicted.get(), evaluated, null)
                            : new Partial(0, q.content() + d.text(), q.tokens(), false, 0, q.tokensPredicted(), evaluated,
                            q.completionProbabilities());
                    return;
                }
                if (pending[0] != null) {
                    events.send(pending[0]);
                }
                pending[0] = new Partial(0, d.text(), new int[] {d.token()}, false, 0, predicted.incrementAndGet(), evaluated,
                        d.logprob() == null ? null : List.of(TokenProbabilities.of(d.logprob(), post)));
            }, events::gone);
            if (pending[0] != null) {
                events.send(pending[0]);
            }
            events.send(answer(c, "", new int[0], settings, null));
        });
    }

    /** llama-server's second name for {@code /completion}. */
    @POST
    @Path("completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response completions(Body b, @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest request) {
        return completion(b, request);
    }

    @POST
    @Path("apply-template")
    @Consumes(MediaType.APPLICATION_JSON)
    public Rendered applyTemplate(TemplateBody b) {
        if (b == null) {
            throw new ApiException(400, "A JSON body is required, e.g. {\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}");
        }
        return new Rendered(completions.applyTemplate(b.model(), RequestFields.messages(b.messages()),
                b.addGenerationPrompt() == null || b.addGenerationPrompt()));
    }

    private static Answer answer(Completion c, String content, int[] tokens, GenerationSettings settings, List<TokenProbabilities> probs) {
        String stopType = switch (c.reason()) {
            case END_OF_GENERATION -> "eos";
            case STOP_STRING -> "word";
            case MAX_TOKENS, CONTEXT_FULL -> "limit";
            case CANCELLED -> "none";
        };
        return new Answer(0, content, tokens, 0, true, c.model(), c.completionTokens(), c.promptTokens().length, settings, c.prompt(),
                c.text().contains("\n"), c.reason() == StopReason.CONTEXT_FULL, stopType, c.stopWord() == null ? "" : c.stopWord(),
                c.promptTokens().length + c.completionTokens(), Timings.of(c.timings()), probs);
    }

    /**
     * A prompt as llama-server takes it: text, token ids, a mix of both (text parts are cut by
     * the tokenizer, the first with the start token), or {@code {"prompt_string": ...}}.
     */
    private static PromptInput prompt(JsonNode p, io.gptlens.core.tokenizer.Tokenizer tokenizer) {
        if (p.isObject()) {
            if (p.has("multimodal_data")) {
                throw new ApiException(400, "Multimodal data provided, but the model does not support multimodal requests");
            }
            return prompt(p.path("prompt_string"), tokenizer);
        }
        if (p.isArray()) {
            boolean mixed = false;
            boolean nested = false;
            for (JsonNode e : p) {
                mixed |= e.isTextual();
                nested |= e.isArray() || e.isObject();
            }
            if (nested) {
                if (p.size() == 1) {
                    return prompt(p.get(0), tokenizer);
                }
                throw new ApiException(400, "Several prompts in one request are not supported; send one request per prompt");
            }
            if (mixed) {
                List<Integer> ids = new ArrayList<>();
                boolean first = true;
                for (JsonNode e : p) {
                    if (e.isTextual()) {
                        Arrays.stream(tokenizer.encode(e.asText(), first, true)).forEach(ids::add);
                        first = false;
                    } else if (e.isIntegralNumber()) {
                        ids.add(e.asInt());
                    } else {
                        throw new ApiException(400, "'prompt' mixes text and token ids; " + e + " is neither");
                    }
                }
                return new PromptInput.Tokens(ids.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return RequestFields.prompt(p);
    }

    /** {@code samplers}: a list of llama-server's names, or a string of its one-letter codes. */
    static List<String> samplerNames(JsonNode s) {
        if (s == null || s.isNull()) {
            return DEFAULT_SAMPLERS;
        }
        List<String> out = new ArrayList<>();
        if (s.isTextual()) {
            for (char ch : s.asText().toCharArray()) {
                String n = switch (ch) {
                    case 'd' -> "dry";
                    case 'k' -> "top_k";
                    case 'y' -> "typ_p";
                    case 'p' -> "top_p";
                    case 's' -> "top_n_sigma";
                    case 'm' -> "min_p";
                    case 't' -> "temperature";
                    case 'x' -> "xtc";
                    case 'e' -> "penalties";
                    default -> null; // llama-server skips unknown letters too
                };
                if (n != null) {
                    out.add(n);
                }
            }
            return out;
        }
        if (!s.isArray()) {
            throw new ApiException(400, "'samplers' must be a list of names (e.g. [\"top_k\", \"temperature\"]) or a string of letters (\"kt\")");
        }
        for (JsonNode e : s) {
            String n = e.asText().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
            out.add(switch (n) {
                case "top_k", "topk" -> "top_k";
                case "top_p", "topp", "nucleus" -> "top_p";
                case "min_p", "minp" -> "min_p";
                case "typ_p", "typp", "typical_p", "typical", "typ" -> "typ_p";
                case "temperature", "temp" -> "temperature";
                case "top_n_sigma", "topnsigma" -> "top_n_sigma";
                case "xtc" -> "xtc";
                case "dry" -> "dry";
                case "penalties" -> "penalties";
                default -> throw new ApiException(400, "Unknown sampler '" + e.asText() + "'; llama-server's are " + String.join(", ", DEFAULT_SAMPLERS));
            });
        }
        return out;
    }

    /**
     * The stages, llama.cpp's own where it has them: each named sampler that would change
     * something, then {@code llama.dist} with the seed. Penalties are added by the completion
     * service (before these), as llama.cpp puts them first.
     */
    private static List<StageSpec> chain(List<String> names, Body b, double temperature, int topK, double topP, double minP, long seed) {
        List<StageSpec> out = new ArrayList<>();
        for (String n : names) {
            switch (n) {
                case "top_k" -> {
                    if (topK > 0) {
                        out.add(StageSpec.of("llama.top-k", "k", topK));
                    }
                }
                case "top_p" -> {
                    if (topP < 1) {
                        out.add(StageSpec.of("llama.top-p", "p", topP));
                    }
                }
                case "min_p" -> {
                    if (minP > 0) {
                        out.add(StageSpec.of("llama.min-p", "p", minP));
                    }
                }
                case "typ_p" -> {
                    if (b.typicalP() != null && b.typicalP() < 1) {
                        out.add(StageSpec.of("llama.typical", "p", b.typicalP()));
                    }
                }
                case "top_n_sigma" -> {
                    if (b.topNSigma() != null && b.topNSigma() > 0) {
                        out.add(StageSpec.of("llama.top-n-sigma", "n", b.topNSigma()));
                    }
                }
                case "xtc" -> {
                    if (b.xtcProbability() != null && b.xtcProbability() > 0) {
                        out.add(new StageSpec("llama.xtc", Map.of("probability", b.xtcProbability(),
                                "threshold", b.xtcThreshold() == null ? 0.1 : b.xtcThreshold(), "seed", seed)));
                    }
                }
                case "temperature" -> {
                    if (b.dynatempRange() != null && b.dynatempRange() > 0) {
                        out.add(new StageSpec("llama.dynamic-temperature", Map.of("t", temperature, "delta", b.dynatempRange(),
                                "exponent", b.dynatempExponent() == null ? 1.0 : b.dynatempExponent())));
                    } else {
                        out.add(StageSpec.of("llama.temperature", "t", temperature));
                    }
                }
                default -> {
                    // penalties come from the service; dry is off by default and has no llama.* stage here
                }
            }
        }
        out.add(StageSpec.of("llama.dist", "seed", seed));
        return out;
    }

    /** {@code json_schema}: only {@code {}} and {@code {"type": "object"}} (any JSON object) are supported. */
    private static boolean jsonSchema(JsonNode s) {
        if (s == null || s.isNull()) {
            return false;
        }
        if (s.isObject() && (s.isEmpty() || (s.size() == 1 && "object".equals(s.path("type").asText())))) {
            return true;
        }
        throw new ApiException(400, "\"json_schema\": only {} or {\"type\": \"object\"} (one JSON object) is supported; give a 'grammar' (GBNF) instead");
    }
}
