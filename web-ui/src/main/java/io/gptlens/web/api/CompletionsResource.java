package io.gptlens.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.generation.GenerationEvent;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.ChainRunner;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.SplitMix64;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.web.config.GptLensConfig;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.plugins.TokenizerRegistry;
import io.gptlens.web.sampling.SamplerRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * OpenAI's {@code POST /v1/completions}, with the extensions {@code top_k}, {@code min_p} and
 * {@code samplers} (an ordered list of {@code {"name", "params"}} that replaces the default chain).
 *
 * <p>Probabilities in {@code logprobs} are the model's own (softmax of the raw logits at
 * temperature 1) before any sampler reshaped them. {@code stream: true} answers with server-sent
 * events, one per token, ending with {@code data: [DONE]}; a fault after the first event (a plugin
 * that throws, a sampler, the backend) ends the stream with {@code data: {"error": {"message",
 * "type", "code"}}} instead, the message naming the plugin when one caused it.
 */
@Path("/v1/completions")
public class CompletionsResource {

    private static final System.Logger LOG = System.getLogger(CompletionsResource.class.getName());

    /** Largest number of stop strings. */
    static final int MAX_STOP = 16;
    /** Largest {@code logprobs}. */
    static final int MAX_LOGPROBS = 20;
    /** {@code sampler_runtime} values. */
    static final String JAVA = "java";
    static final String NATIVE = "llama.cpp";

    private final ModelRegistry registry;
    private final GptLensConfig config;
    private final ObjectMapper json;
    private final SamplerRegistry samplerRegistry;
    private final TokenizerRegistry tokenizers;

    public CompletionsResource(ModelRegistry registry, GptLensConfig config, ObjectMapper json, SamplerRegistry samplerRegistry,
                               TokenizerRegistry tokenizers) {
        this.registry = registry;
        this.config = config;
        this.json = json;
        this.samplerRegistry = samplerRegistry;
        this.tokenizers = tokenizers;
    }

    /** One stage of a custom chain. */
    public record SamplerSpec(String name, Map<String, Object> params) {
    }

    /** The request body (unknown fields are ignored, as OpenAI clients send extras). */
    public record CompletionRequest(String model, JsonNode prompt, @JsonProperty("max_tokens") Integer maxTokens, Double temperature,
                                    @JsonProperty("top_p") Double topP, @JsonProperty("top_k") Integer topK,
                                    @JsonProperty("min_p") Double minP, Long seed, JsonNode stop, Integer logprobs, Boolean stream,
                                    List<SamplerSpec> samplers, Integer n, @JsonProperty("sampler_runtime") String samplerRuntime,
                                    String tokenizer) {
    }

    /** A validated request, ready to run. */
    private record Prepared(LoadedModel model, GenerationRequest request, List<StageSpec> chain, long seed, boolean stream,
                            boolean logprobs, boolean runNatively, io.gptlens.core.tokenizer.Tokenizer tokenizer) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response complete(CompletionRequest r, @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest request) {
        Prepared p = prepare(r);
        String id = "cmpl-" + UUID.randomUUID();
        long created = Instant.now().getEpochSecond();
        if (!p.stream()) {
            return Response.ok(run(p, id, created, null, null)).type(MediaType.APPLICATION_JSON).build();
        }
        StreamingOutput body = out -> {
            try {
                run(p, id, created, out, request.response()::closed);
                write(out, "data: [DONE]\n\n");
            } catch (ClientGone e) {
                LOG.log(System.Logger.Level.DEBUG, "The client of " + id + " went away: " + e.getCause());
            } catch (RuntimeException e) {
                // headers are sent: the failure becomes the last event, as the same request unstreamed would answer it
                try {
                    sse(out, ErrorMappers.of(e).getEntity());
                } catch (ClientGone gone) {
                    LOG.log(System.Logger.Level.DEBUG, "The client of " + id + " went away before its error event: " + e);
                }
            }
        };
        return Response.ok(body).type("text/event-stream").header("Cache-Control", "no-cache").build();
    }

    private Prepared prepare(CompletionRequest r) {
        NamedProviders<SamplerProvider> samplers = samplerRegistry.providers();
        if (r == null) {
            throw new ApiException(400, "A JSON body is required, e.g. {\"prompt\": \"Once upon a time\", \"max_tokens\": 16}");
        }
        LoadedModel m = registry.resolve(r.model());
        if (!m.model().canGenerate()) {
            throw new ApiException(400, "Model '" + m.id() + "' cannot generate text: it is " + (m.model().info().vocabOnly()
                    ? "a vocabulary only (no weights): it can tokenize but not complete" : "an embedding model: use /v1/embeddings"));
        }
        if (r.n() != null && r.n() != 1) {
            throw new ApiException(400, "Only n = 1 is supported, got " + r.n());
        }
        String prompt = prompt(r.prompt());
        int maxTokens = r.maxTokens() == null ? 16 : r.maxTokens();
        if (maxTokens < 0 || maxTokens > config.maxTokensLimit()) {
            throw new ApiException(400, "max_tokens must be in [0, " + config.maxTokensLimit() + "], got " + maxTokens);
        }
        List<String> stop = stop(r.stop());
        int logprobs = r.logprobs() == null ? 0 : r.logprobs();
        if (logprobs < 0 || logprobs > MAX_LOGPROBS) {
            throw new ApiException(400, "logprobs must be in [0, " + MAX_LOGPROBS + "], got " + logprobs);
        }
        long seed = r.seed() == null ? -1 : r.seed();
        if (seed < -1) {
            throw new ApiException(400, "seed must be >= -1, got " + seed);
        }
        seed = SplitMix64.resolveSeed(seed);
        List<StageSpec> chain;
        if (r.samplers() != null) {
            chain = new ArrayList<>();
            for (SamplerSpec s : r.samplers()) {
                if (s == null || s.name() == null) {
                    throw new ApiException(400, "Each entry of 'samplers' needs a 'name'; known: " + String.join(", ", samplers.all().keySet()));
                }
                chain.add(new StageSpec(s.name(), s.params()));
            }
        } else {
            chain = SamplerChains.standard(r.temperature() == null ? 1.0 : r.temperature(), r.topK() == null ? 0 : r.topK(),
                    r.topP() == null ? 1.0 : r.topP(), r.minP() == null ? 0.0 : r.minP(), seed);
        }
        SamplerChains.build(samplers, chain, seed).close(); // validate names and parameters before answering
        boolean runNatively = switch (r.samplerRuntime() == null ? JAVA : r.samplerRuntime()) {
            case JAVA -> false;
            case NATIVE -> true;
            default -> throw new ApiException(400, "sampler_runtime must be '" + JAVA + "' (GPTLens runs the chain stage by stage) or '"
                    + NATIVE + "' (llama.cpp runs it as one llama_sampler_chain, calling Java stages back), got '" + r.samplerRuntime() + "'");
        };
        GenerationRequest g = new GenerationRequest(prompt, maxTokens, stop, true, true, logprobs, 0);
        var tokenizer = tokenizers.forModel(m, r.tokenizer());
        return new Prepared(m, g, chain, seed, Boolean.TRUE.equals(r.stream()), r.logprobs() != null, runNatively, tokenizer);
    }

    private static String prompt(JsonNode p) {
        if (p == null || p.isNull()) {
            return "";
        }
        if (p.isTextual()) {
            return p.asText();
        }
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            return p.get(0).asText();
        }
        throw new ApiException(400, "'prompt' must be a string (or a list of one string)");
    }

    private static List<String> stop(JsonNode s) {
        if (s == null || s.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (s.isTextual()) {
            out.add(s.asText());
        } else if (s.isArray()) {
            for (JsonNode e : s) {
                if (!e.isTextual()) {
                    throw new ApiException(400, "'stop' must be a string or a list of strings");
                }
                out.add(e.asText());
            }
        } else {
            throw new ApiException(400, "'stop' must be a string or a list of strings");
        }
        if (out.size() > MAX_STOP) {
            throw new ApiException(400, "At most " + MAX_STOP + " stop strings, got " + out.size());
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw new ApiException(400, "Stop strings must not be empty");
        }
        return out;
    }

    private static ChainRunner runNatively(Session session, SamplerChain chain) {
        try {
            return session.runNatively(chain);
        } catch (UnsupportedOperationException e) {
            throw new ApiException(400, "sampler_runtime '" + NATIVE + "' is not available for this model: " + e.getMessage());
        }
    }

    /**
     * Runs a prepared completion; streams events to {@code out} when given, and returns the whole
     * response. A stream stops generating once {@code clientGone} says the connection is closed.
     */
    private Map<String, Object> run(Prepared p, String id, long created, OutputStream out, java.util.function.BooleanSupplier clientGone) {
        LoadedModel m = p.model();
        m.acquireSlot();
        try {
            if (registry.get(m.id()).orElse(null) != m) {
                throw new ApiException(404, "Model '" + m.id() + "' was unloaded");
            }
            int ctx = Math.min(config.contextLength(), Math.max(16, m.model().info().contextLength()));
            SessionOptions so = new SessionOptions(ctx, 512, 1, config.threads(), false, false);
            Logprobs lp = new Logprobs();
            try (Session session = m.model().newSession(so); SamplerChain chain = samplerRegistry.chain(p.chain(), p.seed());
                 ChainRunner runner = p.runNatively() ? runNatively(session, chain) : chain) { // closing a chain twice is safe
                Generator gen = new Generator(session, p.tokenizer());
                StringBuilder text = new StringBuilder();
                Consumer<GenerationEvent> listener = e -> {
                    if (e instanceof GenerationEvent.TokenEvent t && !t.end()) { // the end token has no text and no logprob entry
                        Map<String, Object> one = null;
                        if (t.token() >= 0 && p.logprobs()) {
                            one = lp.add(t, text.length(), m);
                        }
                        text.append(t.text());
                        if (out != null) {
                            if (clientGone.getAsBoolean()) {
                                gen.cancel(); // the client went away: stop generating for it
                                return;
                            }
                            try {
                                sse(out, chunk(id, created, m.id(), t.text(), one == null ? null : Logprobs.single(one), null));
                            } catch (ClientGone gone) {
                                gen.cancel(); // the client went away: stop generating for it
                            }
                        }
                    }
                };
                GenerationEvent.DoneEvent done = gen.generate(p.request(), runner, listener);
                Map<String, Object> usage = Map.of("prompt_tokens", done.promptTokens(), "completion_tokens", done.tokens().length,
                        "total_tokens", done.promptTokens() + done.tokens().length);
                if (out != null) {
                    Map<String, Object> last = chunk(id, created, m.id(), "", null, done.reason().finishReason());
                    last.put("usage", usage);
                    last.put("timings", timings(done));
                    sse(out, last);
                    return last;
                }
                Map<String, Object> choice = new LinkedHashMap<>();
                choice.put("text", done.text());
                choice.put("index", 0);
                choice.put("logprobs", p.logprobs() ? lp.toJson() : null);
                choice.put("finish_reason", done.reason().finishReason());
                Map<String, Object> res = new LinkedHashMap<>();
                res.put("id", id);
                res.put("object", "text_completion");
                res.put("created", created);
                res.put("model", m.id());
                res.put("choices", List.of(choice));
                res.put("usage", usage);
                res.put("seed", p.seed());
                res.put("samplers", p.chain().stream().map(s -> Map.of("name", s.name(), "params", s.params())).toList());
                res.put("sampler_runtime", p.runNatively() ? NATIVE : JAVA);
                res.put("chain", runner.describe());
                res.put("timings", timings(done));
                return res;
            }
        } finally {
            m.slots().release();
        }
    }

    private static Map<String, Object> timings(GenerationEvent.DoneEvent d) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("prompt_n", d.promptTokens());
        t.put("prompt_ms", d.promptNanos() / 1e6);
        t.put("predicted_n", d.tokens().length);
        t.put("predicted_ms", d.generationNanos() / 1e6);
        t.put("predicted_per_second", d.tokensPerSecond());
        return t;
    }

    private static Map<String, Object> chunk(String id, long created, String model, String text, Map<String, Object> logprobs, String finish) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("text", text);
        choice.put("index", 0);
        choice.put("logprobs", logprobs);
        choice.put("finish_reason", finish);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("object", "text_completion");
        c.put("created", created);
        c.put("model", model);
        c.put("choices", List.of(choice));
        return c;
    }

    private void sse(OutputStream out, Object event) {
        String data;
        try {
            data = json.writeValueAsString(event);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an event as JSON: " + e.getOriginalMessage(), e);
        }
        write(out, "data: " + data + "\n\n");
    }

    /**
     * Writes and flushes a piece of the stream.
     *
     * @throws ClientGone when the client has closed the connection
     */
    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | UncheckedIOException e) {
            throw new ClientGone(e);
        }
    }

    /** Writing to a streamed response failed: the client went away. Not an error of the server's. */
    private static final class ClientGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientGone(Exception cause) {
            super(cause);
        }
    }

    /** Accumulates OpenAI-style logprobs. */
    private static final class Logprobs {
        final List<String> tokens = new ArrayList<>();
        final List<Integer> ids = new ArrayList<>();
        final List<Double> tokenLogprobs = new ArrayList<>();
        final List<Map<String, Double>> top = new ArrayList<>();
        final List<Integer> offsets = new ArrayList<>();

        Map<String, Object> add(GenerationEvent.TokenEvent t, int offset, LoadedModel m) {
            Map<String, Double> alts = new LinkedHashMap<>();
            for (TopN.Entry e : t.alternatives()) {
                alts.putIfAbsent(m.model().tokenizer().piece(e.id(), false).text(), e.logprob());
            }
            tokens.add(t.piece().text());
            ids.add(t.token());
            tokenLogprobs.add(t.logprob());
            top.add(alts);
            offsets.add(offset);
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("token", t.piece().text());
            one.put("token_id", t.token());
            one.put("token_logprob", t.logprob());
            one.put("top_logprobs", alts);
            one.put("text_offset", offset);
            return one;
        }

        static Map<String, Object> single(Map<String, Object> one) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tokens", List.of(one.get("token")));
            m.put("token_ids", List.of(one.get("token_id")));
            m.put("token_logprobs", List.of(one.get("token_logprob")));
            m.put("top_logprobs", List.of(one.get("top_logprobs")));
            m.put("text_offset", List.of(one.get("text_offset")));
            return m;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tokens", tokens);
            m.put("token_ids", ids);
            m.put("token_logprobs", tokenLogprobs);
            m.put("top_logprobs", top);
            m.put("text_offset", offsets);
            return m;
        }
    }
}
