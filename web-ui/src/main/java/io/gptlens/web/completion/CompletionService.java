package io.gptlens.web.completion;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.generation.GenerationEvent;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.generation.PromptScorer;
import io.gptlens.core.generation.StopReason;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.sampling.ChainRunner;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SplitMix64;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.chat.ChatTemplates;
import io.gptlens.web.config.GptLensConfig;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.plugins.TokenizerRegistry;
import io.gptlens.web.sampling.SamplerRegistry;
import io.gptlens.web.steering.SteeringService;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The one completion service every completion API goes through: it validates a
 * {@link CompletionRequest}, builds its sampler chain, resolves its tokenizer, renders a chat
 * through the model's template, scores the prompt when asked, and runs core's {@link Generator}
 * in one of the model's slots. Thread-safe; each run opens its own session.
 */
@ApplicationScoped
public class CompletionService {

    /** Largest number of stop strings. */
    public static final int MAX_STOP = 16;
    /** Largest number of alternatives per token ({@code logprobs}, {@code top_logprobs}, {@code n_probs}). */
    public static final int MAX_LOGPROBS = 20;

    private final ModelRegistry registry;
    private final GptLensConfig config;
    private final SamplerRegistry samplers;
    private final TokenizerRegistry tokenizers;
    private final ChatTemplates templates;
    private final io.gptlens.web.metrics.GptLensMetrics metrics;
    private final SteeringService steering;

    public CompletionService(ModelRegistry registry, GptLensConfig config, SamplerRegistry samplers, TokenizerRegistry tokenizers,
                             ChatTemplates templates, io.gptlens.web.metrics.GptLensMetrics metrics, SteeringService steering) {
        this.registry = registry;
        this.steering = steering;
        this.config = config;
        this.samplers = samplers;
        this.tokenizers = tokenizers;
        this.templates = templates;
        this.metrics = metrics;
    }

    /**
     * A validated request, ready to run: every default resolved, the prompt tokenized, the chain's
     * names and parameters checked.
     *
     * @param model        the model
     * @param tokenizer    the tokenizer that cuts the prompt and reads the output
     * @param prompt       the prompt as text
     * @param promptTokens the prompt's tokens
     * @param maxTokens    tokens to generate at most
     * @param chain        the stages, in order
     * @param seed         the resolved seed
     * @param runtime      {@link Sampling#JAVA} or {@link Sampling#NATIVE}
     * @param request      what the service was asked
     */
    public record Prepared(LoadedModel model, Tokenizer tokenizer, String prompt, int[] promptTokens, int maxTokens, List<StageSpec> chain,
                           long seed, String runtime, CompletionRequest request, float[][] steering) {
        public Prepared {
            promptTokens = promptTokens.clone();
            chain = List.copyOf(chain);
        }

        @Override
        public int[] promptTokens() {
            return promptTokens.clone();
        }
    }

    /**
     * Validates {@code r} and resolves its defaults.
     *
     * @throws CompletionException for a malformed request, an unknown model or stage, or a model that cannot do it
     */
    public Prepared prepare(CompletionRequest r) {
        LoadedModel m = registry.resolve(r.model());
        if (!m.model().canGenerate()) {
            throw new CompletionException(CompletionException.Kind.UNSUPPORTED, "Model '" + m.id() + "' cannot generate text: it is "
                    + (m.model().info().vocabOnly() ? "a vocabulary only (no weights): it can tokenize but not complete"
                    : "an embedding model: use /v1/embeddings"));
        }
        if (r.n() != null && r.n() != 1) {
            throw CompletionException.invalid("Only n = 1 is supported, got " + r.n());
        }
        if (r.stop().size() > MAX_STOP) {
            throw CompletionException.invalid("At most " + MAX_STOP + " stop strings, got " + r.stop().size());
        }
        if (r.stop().stream().anyMatch(s -> s == null || s.isEmpty())) {
            throw CompletionException.invalid("Stop strings must not be empty");
        }
        if (r.logprobs() != null && (r.logprobs() < 0 || r.logprobs() > MAX_LOGPROBS)) {
            throw CompletionException.invalid("logprobs must be in [0, " + MAX_LOGPROBS + "], got " + r.logprobs());
        }
        Tokenizer tokenizer = tokenizers.forModel(m, r.tokenizer());
        String promptText;
        int[] promptTokens;
        if (r.isChat()) {
            if (r.messages().isEmpty()) {
                throw CompletionException.invalid("'messages' is empty: give at least one message, e.g. [{\"role\": \"user\", \"content\": \"Hi\"}]");
            }
            promptText = templates.render(m, r.messages(), true);
            promptTokens = templates.tokenize(m, tokenizer, promptText);
        } else if (r.prompt() instanceof PromptInput.Tokens t) {
            promptTokens = t.ids();
            checkTokens(tokenizer, promptTokens);
            promptText = tokenizer.decode(promptTokens, false, true);
        } else {
            promptText = r.prompt() instanceof PromptInput.Text t ? t.text() : "";
            promptTokens = tokenizer.encode(promptText, true, true);
        }
        if (promptTokens.length == 0) {
            throw CompletionException.invalid("The prompt is empty and the tokenizer adds no start token; give some text");
        }
        int ctx = contextLength(m);
        if (promptTokens.length >= ctx) {
            throw CompletionException.invalid("The prompt has " + promptTokens.length + " tokens but the context holds " + ctx);
        }
        int limit = config.maxTokensLimit();
        int maxTokens = r.maxTokens() == null ? Math.min(limit, ctx - promptTokens.length) : r.maxTokens();
        if (maxTokens < 0 || maxTokens > limit) {
            throw CompletionException.invalid("max_tokens must be in [0, " + limit + "], got " + maxTokens);
        }
        Sampling s = r.sampling();
        long seed = s.seed() == null ? -1 : s.seed();
        if (seed < -1) {
            throw CompletionException.invalid("seed must be >= -1, got " + seed);
        }
        seed = SplitMix64.resolveSeed(seed);
        List<StageSpec> chain = chain(r, s, seed, m);
        String runtime = s.runtime() == null ? Sampling.JAVA : s.runtime();
        if (!runtime.equals(Sampling.JAVA) && !runtime.equals(Sampling.NATIVE)) {
            throw CompletionException.invalid("sampler_runtime must be '" + Sampling.JAVA + "' (GPTLens runs the chain stage by stage) or '"
                    + Sampling.NATIVE + "' (llama.cpp runs it as one llama_sampler_chain, calling Java stages back), got '" + runtime + "'");
        }
        samplers.chain(m.model(), chain, seed).close(); // names and parameters checked before anything runs
        float[][] steer = steering.combine(m, r.steering()); // null: none, or strength 0 only
        return new Prepared(m, tokenizer, promptText, promptTokens, maxTokens, chain, seed, runtime, r, steer);
    }

    /** Tokens of context a session gets for {@code m}: the configured length, capped by the model's own. */
    private int contextLength(LoadedModel m) {
        return Math.min(config.contextLength(), Math.max(16, m.model().info().contextLength()));
    }

    private static void checkTokens(Tokenizer t, int[] ids) {
        for (int id : ids) {
            if (id < 0 || id >= t.vocabularySize()) {
                throw CompletionException.invalid("Token id " + id + " in the prompt is outside the vocabulary [0, " + t.vocabularySize() + ")");
            }
        }
    }

    /** The stages: grammar, logit bias and penalties first (as llama.cpp orders them), then the given or standard chain. */
    private static List<StageSpec> chain(CompletionRequest r, Sampling s, long seed, LoadedModel m) {
        List<StageSpec> out = new ArrayList<>();
        if (r.grammar() != null && r.jsonObject()) {
            throw CompletionException.invalid("Give either 'grammar' or response_format json_object, not both");
        }
        if (r.grammar() != null || r.jsonObject()) {
            String gbnf = r.jsonObject() ? JsonGrammar.GBNF : r.grammar();
            if (gbnf.isBlank()) {
                throw CompletionException.invalid("'grammar' is empty; give GBNF rules, e.g. root ::= \"yes\" | \"no\"");
            }
            out.add(StageSpec.of("llama.grammar", "grammar", gbnf));
        }
        if (!s.logitBias().isEmpty()) {
            out.add(StageSpec.of("logit-bias", "bias", s.logitBias().entrySet().stream()
                    .map(e -> e.getKey() + ":" + (e.getValue() <= -100 ? "-inf" : Double.toString(e.getValue())))
                    .collect(Collectors.joining(","))));
        }
        double presence = s.presencePenalty() == null ? 0 : s.presencePenalty();
        double frequency = s.frequencyPenalty() == null ? 0 : s.frequencyPenalty();
        double repeat = s.repeatPenalty() == null ? 1 : s.repeatPenalty();
        if (presence != 0 || frequency != 0 || repeat != 1) {
            int lastN = s.penaltyLastN() == null ? 64 : s.penaltyLastN();
            out.add(new StageSpec("penalties", Map.of("last_n", lastN < 0 ? 1 << 20 : lastN, "repeat", repeat,
                    "frequency", frequency, "presence", presence)));
        }
        if (s.samplers() != null) {
            out.addAll(s.samplers());
        } else {
            try {
                out.addAll(io.gptlens.core.sampling.SamplerChains.standard(s.temperature() == null ? 1.0 : s.temperature(),
                        s.topK() == null ? 0 : s.topK(), s.topP() == null ? 1.0 : s.topP(), s.minP() == null ? 0.0 : s.minP(), seed));
            } catch (IllegalArgumentException e) {
                throw CompletionException.invalid(e.getMessage());
            }
        }
        return out;
    }

    /**
     * Runs a prepared completion in one of its model's slots, reporting text as it becomes final
     * to {@code deltas}; generation stops early once {@code gone} says nobody listens any more.
     *
     * @throws CompletionException if the model was unloaded meanwhile
     * @throws io.gptlens.core.sampling.SamplerException if a stage fails (its message names the plugin)
     */
    public Completion run(Prepared p, Consumer<Completion.Delta> deltas, BooleanSupplier gone) {
        LoadedModel m = p.model();
        m.acquireSlot();
        metrics.started();
        try {
            if (registry.get(m.id()).orElse(null) != m) {
                throw new CompletionException(CompletionException.Kind.NOT_FOUND, "Model '" + m.id() + "' was unloaded");
            }
            Completion c = runInSlot(p, deltas, gone);
            metrics.finished(c.timings().promptN(), c.timings().promptMs(), c.timings().predictedN(), c.timings().predictedMs(),
                    c.reason().finishReason());
            return c;
        } finally {
            metrics.ended();
            m.slots().release();
        }
    }

    private Completion runInSlot(Prepared p, Consumer<Completion.Delta> deltas, BooleanSupplier gone) {
        LoadedModel m = p.model();
        CompletionRequest r = p.request();
        int ctx = contextLength(m);
        SessionOptions so = new SessionOptions(ctx, 512, 1, config.threads(), false, false);
        int n = r.logprobs() == null ? 0 : r.logprobs();
        try (Session session = m.model().newSession(so); SamplerChain chain = samplers.chain(m.model(), p.chain(), p.seed());
             ChainRunner runner = p.runtime().equals(Sampling.NATIVE) ? runNatively(session, chain) : chain) { // closing a chain twice is safe
            if (p.steering() != null) {
                session.steer(p.steering()); // a fresh session: nothing in its cache was computed unsteered
            }
            List<TokenLogprob> promptLogprobs = List.of();
            StringBuilder text = new StringBuilder();
            if (r.echo()) {
                long t0 = System.nanoTime();
                PromptScorer.Scored scored = PromptScorer.score(session, p.promptTokens(), n, 0);
                promptLogprobs = new ArrayList<>();
                int offset = 0;
                for (PromptScorer.TokenScore t : scored.tokens()) {
                    TokenLogprob e = entry(p.tokenizer(), t.token(), t.logprob(), offset, t.alternatives(), null);
                    promptLogprobs.add(e);
                    offset += e.text().length();
                }
                metrics.scored(scored.tokens().size());
                text.append(p.prompt()); // the answer's text starts with the prompt; generated offsets count from its end
                deltas.accept(new Completion.Delta(p.prompt(), -1, null, promptLogprobs));
                if (p.maxTokens() == 0) {
                    return new Completion(m.id(), p.prompt(), p.promptTokens(), "", new int[0], StopReason.MAX_TOKENS, null, promptLogprobs,
                            List.of(), new Completion.Timings(p.promptTokens().length, (System.nanoTime() - t0) / 1e6, 0, 0), p.seed(),
                            p.chain(), runner.describe(), p.runtime(), ctx);
                }
            }
            Generator gen = new Generator(session, p.tokenizer());
            List<TokenLogprob> logprobs = new ArrayList<>();
            ByteArrayOutputStream raw = new ByteArrayOutputStream(); // every generated piece, to tell which stop string matched
            int textStart = text.length();
            GenerationRequest g = new GenerationRequest("", p.maxTokens(), r.stop(), true, true, n, 0, p.promptTokens(), null);
            GenerationEvent.DoneEvent done = gen.generate(g, runner, e -> {
                if (!(e instanceof GenerationEvent.TokenEvent t) || t.end()) {
                    return; // the end token has no text and no logprob entry
                }
                if (gone.getAsBoolean()) {
                    gen.cancel(); // nobody listens any more: stop generating
                    return;
                }
                TokenLogprob lp = null;
                if (t.token() >= 0) {
                    raw.writeBytes(t.piece().bytes());
                    if (r.logprobs() != null) {
                        lp = entry(p.tokenizer(), t.token(), t.logprob(), text.length(), t.alternatives(),
                                r.postSampling() ? t.sampled() : null);
                        logprobs.add(lp);
                    }
                }
                text.append(t.text());
                deltas.accept(new Completion.Delta(t.text(), t.token(), lp));
            });
            String stopWord = null;
            if (done.reason() == StopReason.STOP_STRING) {
                String all = raw.toString(StandardCharsets.UTF_8);
                stopWord = r.stop().stream().filter(s -> all.startsWith(s, done.text().length())).findFirst().orElse(null);
            }
            String answer = text.substring(textStart);
            return new Completion(m.id(), p.prompt(), p.promptTokens(), answer, done.tokens(), done.reason(), stopWord, promptLogprobs, logprobs,
                    new Completion.Timings(done.promptTokens(), done.promptNanos() / 1e6, done.tokens().length, done.generationNanos() / 1e6),
                    p.seed(), p.chain(), runner.describe(), p.runtime(), ctx);
        }
    }

    private static ChainRunner runNatively(Session session, SamplerChain chain) {
        try {
            return session.runNatively(chain);
        } catch (UnsupportedOperationException e) {
            throw new CompletionException(CompletionException.Kind.UNSUPPORTED,
                    "sampler_runtime '" + Sampling.NATIVE + "' is not available for this model: " + e.getMessage());
        }
    }

    private static Piece piece(Tokenizer t, int id) {
        return t.piece(id, true);
    }

    private static TokenLogprob entry(Tokenizer t, int id, double logprob, int offset, List<TopN.Entry> top, Candidates sampled) {
        List<TokenLogprob.Alternative> alts = new ArrayList<>(top.size());
        for (TopN.Entry e : top) {
            alts.add(alternative(t, e.id(), e.logprob()));
        }
        double sampledProb = Double.NaN;
        List<TokenLogprob.Alternative> sampledTop = List.of();
        if (sampled != null && !sampled.probabilitiesValid()) {
            sampled = sampled.copy(); // a native picker leaves its probabilities unmarked: the softmax of what it drew from
            sampled.softmax();
        }
        if (sampled != null) {
            int idx = sampled.indexOf(id);
            sampledProb = idx >= 0 ? sampled.p(idx) : 0;
            sampledTop = new ArrayList<>();
            for (int i : topByProbability(sampled, Math.max(1, top.size()))) {
                sampledTop.add(alternative(t, sampled.id(i), Math.log(sampled.p(i))));
            }
        }
        Piece pc = piece(t, id);
        return new TokenLogprob(id, pc.text(), pc.bytes(), logprob, offset, alts, sampledProb, sampledTop);
    }

    private static TokenLogprob.Alternative alternative(Tokenizer t, int id, double logprob) {
        Piece pc = piece(t, id);
        return new TokenLogprob.Alternative(id, pc.text(), pc.bytes(), logprob);
    }

    /** Indices of the {@code k} most probable candidates, most probable first (ties: lower id first). */
    private static int[] topByProbability(Candidates c, int k) {
        int n = Math.min(k, c.size());
        if (c.isSorted()) {
            int[] out = new int[n];
            java.util.Arrays.setAll(out, i -> i);
            return out;
        }
        float[] p = new float[c.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = c.p(i);
        }
        io.gptlens.core.simd.TopK best = new io.gptlens.core.simd.TopK(n);
        best.scan(p, 0, p.length);
        int[] out = new int[best.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = best.id(j);
        }
        return out;
    }

    /**
     * Renders {@code messages} through the model's chat template (llama-server's {@code /apply-template}).
     *
     * @throws CompletionException if the model has no template and none is configured, or the template fails
     */
    public String applyTemplate(String model, List<io.gptlens.web.chat.ChatMessage> messages, boolean addGenerationPrompt) {
        return templates.render(registry.resolve(model), messages, addGenerationPrompt);
    }

    /** The tokens a rendered chat becomes for {@code model} (special tokens recognised, the start token once). */
    public int[] chatTokens(String model, String rendered) {
        LoadedModel m = registry.resolve(model);
        return templates.tokenize(m, m.model().tokenizer(), rendered);
    }

    /**
     * Scores a text or token ids (the playground's surprise colouring): each token's log-probability
     * given the ones before it, in one of the model's slots.
     */
    public PromptScorer.Scored score(String model, PromptInput prompt, int topN) {
        LoadedModel m = registry.resolve(model);
        if (!m.model().canGenerate()) {
            throw new CompletionException(CompletionException.Kind.UNSUPPORTED, "Model '" + m.id() + "' cannot score text: it has no language-model head");
        }
        int[] ids = prompt instanceof PromptInput.Tokens t ? t.ids()
                : m.model().tokenizer().encode(prompt instanceof PromptInput.Text t ? t.text() : "", true, true);
        if (ids.length == 0) {
            throw CompletionException.invalid("Nothing to score: the text is empty");
        }
        int ctx = contextLength(m);
        if (ids.length > ctx) {
            throw CompletionException.invalid("The text has " + ids.length + " tokens but the context holds " + ctx);
        }
        m.acquireSlot();
        try (Session session = m.model().newSession(new SessionOptions(ctx, 512, 1, config.threads(), false, false))) {
            return PromptScorer.score(session, ids, topN, 0);
        } finally {
            m.slots().release();
        }
    }
}
