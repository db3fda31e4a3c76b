package io.gptlens.web.playground;

import io.gptlens.core.generation.GenerationEvent;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.generation.SequenceCache;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.sampling.ChainRunner;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.sampling.SamplerRegistry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One browser tab's work on one model: its own llama.cpp context (KV cache), a thread that runs
 * it, and the tree of runs. Generation, branching and replay run on that thread; listeners are
 * called there and must hand results to the UI themselves.
 *
 * <p><b>Ownership:</b> owns the session; {@link #close()} stops a running generation and frees
 * the context (the view calls it when the tab goes away). Thread-safe.
 */
public final class PlaygroundSession implements AutoCloseable {

    /** Steps keep their full logits while the run's logits stay under this many floats (64 MiB). */
    static final long MAX_KEPT_LOGITS = 16L << 20;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final LoadedModel model;
    private final ModelRegistry registry;
    private final SamplerRegistry samplers;
    private final ExecutorService worker;
    private final AtomicBoolean cancel = new AtomicBoolean();
    private final List<Run> runs = new ArrayList<>();
    private final int contextLength;
    private Session session;
    private SequenceCache cache;
    /** The steering asked for from now on (recorded by new runs), and the one the context has (worker only). */
    private volatile float[][] steering;
    private float[][] applied;
    private volatile Generator generator;
    private boolean closed;

    public PlaygroundSession(LoadedModel model, ModelRegistry registry, SamplerRegistry samplers, int contextLength) {
        this.model = model;
        this.registry = registry;
        this.samplers = samplers;
        this.contextLength = Math.min(contextLength, Math.max(16, model.model().info().contextLength()));
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "playground-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public LoadedModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return model.model().tokenizer();
    }

    /** Tokens of context the session holds. */
    public int contextLength() {
        return contextLength;
    }

    /** The prompt's tokens (BOS added as the model asks; specials parsed). */
    public int[] tokenize(String prompt) {
        return tokenizer().encode(prompt, true, true);
    }

    /** All runs, oldest first. */
    public synchronized List<Run> runs() {
        return List.copyOf(runs);
    }

    /** The logits after {@code tokens} (for the distribution before anything is generated). */
    public CompletableFuture<float[]> logitsAfter(int[] tokens) {
        return CompletableFuture.supplyAsync(() -> cache().sync(tokens), worker);
    }

    /**
     * Starts a run; {@code forced} tokens are taken before sampling starts (e.g. an alternative
     * chosen for the first position). {@code onStep} is called for each token on the worker thread; the future
     * completes with the run when it ends (stopped, finished or failed).
     */
    public CompletableFuture<Run> generate(int[] prompt, List<StageSpec> chain, long seed, int maxTokens, Consumer<Run> onStep, int[] forced) {
        return generate(prompt, chain, seed, maxTokens, onStep, forced, false);
    }

    /** As {@link #generate(int[], List, long, int, Consumer, int[])}; {@code nativeChain} lets llama.cpp run the chain. */
    public CompletableFuture<Run> generate(int[] prompt, List<StageSpec> chain, long seed, int maxTokens, Consumer<Run> onStep, int[] forced,
                                          boolean nativeChain) {
        RunRecord record = new RunRecord(model.id(), "", prompt, forced, chain, seed, Math.max(maxTokens, forced.length), nativeChain, steering);
        return start(null, -1, record, onStep);
    }

    /**
     * Branches {@code parent} at step {@code index}: the new run keeps the parent's steps before
     * {@code index}, takes {@code token} there, and continues sampling. The shared prefix stays in
     * the KV cache; only what differs is evaluated.
     */
    public CompletableFuture<Run> branch(Run parent, int index, int token, Consumer<Run> onStep) {
        tokenizer().checkToken(token);
        int[] prefix = Arrays.copyOf(parent.tokens(), index + 1);
        prefix[index] = token;
        RunRecord p = parent.record();
        // the whole generated prefix, chosen token included, is forced: that makes the branch reproducible
        RunRecord record = new RunRecord(p.modelId(), p.modelSha256(), p.promptTokens(), prefix, p.chain(), p.seed(),
                Math.max(p.maxTokens(), index + 1), p.nativeChain(), p.steering());
        return start(parent, index, record, onStep);
    }

    /** Runs {@code run}'s record again from scratch. */
    public CompletableFuture<Run> replay(Run run, Consumer<Run> onStep) {
        return start(run, -2, run.record(), onStep);
    }

    private synchronized CompletableFuture<Run> start(Run parent, int branchAt, RunRecord record, Consumer<Run> onStep) {
        if (closed) {
            throw new IllegalStateException("The playground session is closed");
        }
        cancel.set(false);
        Run run = new Run(runs.size() + 1, branchAt == -2 ? null : parent, Math.max(-1, branchAt), record);
        runs.add(run);
        return CompletableFuture.supplyAsync(() -> {
            execute(run, onStep);
            return run;
        }, worker);
    }

    /**
     * Steers the session from now on ({@link Session#steer}: one vector per layer, null rows or a
     * null array for none), after the run under way. The cache is emptied: nothing computed under
     * the old steering is reused.
     */
    public synchronized CompletableFuture<Void> steer(float[][] perLayer) { // synchronized with close()
        if (closed) {
            throw new IllegalStateException("The playground session is closed");
        }
        float[][] v = perLayer == null ? null : perLayer.clone();
        steering = v; // new runs record it; a replay or branch keeps its own
        return CompletableFuture.runAsync(() -> applySteering(v), worker);
    }

    /** On the worker: steers the context as {@code v} unless it is so already; the cache is emptied when it changes. */
    private void applySteering(float[][] v) {
        cache();
        if (v == applied || (v != null && applied != null && Arrays.deepEquals(v, applied))) {
            return;
        }
        session.steer(v);
        session.clear();
        cache = new SequenceCache(session, 0);
        applied = v;
    }

    /** Stops the running generation at its next token. Thread-safe. */
    public void stop() {
        cancel.set(true);
        Generator g = generator;
        if (g != null) {
            g.cancel();
        }
        Session s = session;
        if (s != null) {
            s.cancel();
        }
    }

    private SequenceCache cache() {
        if (session == null) {
            session = model.model().newSession(new SessionOptions(contextLength, 512, 1, 0, false, false));
            cache = new SequenceCache(session, 0);
        }
        return cache;
    }

    private ChainRunner nativeRunner(SamplerChain chain) {
        cache();
        try {
            return session.runNatively(chain);
        } catch (UnsupportedOperationException e) {
            throw new IllegalStateException("llama.cpp cannot run the chain for this model: " + e.getMessage(), e);
        }
    }

    private void execute(Run run, Consumer<Run> onStep) {
        RunRecord r = run.record();
        String sha = registry.sha256(model);
        RunRecord record = new RunRecord(r.modelId(), sha, r.promptTokens(), r.forced(), r.chain(), r.seed(), r.maxTokens(), r.nativeChain(),
                r.steering());
        run.setRecord(record);
        Tokenizer tok = tokenizer();
        int vocab = tok.vocabularySize();
        List<Integer> context = new ArrayList<>();
        for (int t : r.promptTokens()) {
            context.add(t);
        }
        try (SamplerChain chain = samplers.chain(r.chain(), r.seed());
             ChainRunner runner = r.nativeChain() ? nativeRunner(chain) : chain) { // closing a chain twice is safe
            applySteering(r.steering()); // a replay or a branch runs as its run was steered
            int start = 0;
            if (run.parent() != null && run.branchAt() > 0) {
                // a branch shares its parent's steps up to the branch point: copy them, and let the
                // KV cache keep their tokens (the generator evaluates at most the last one again)
                for (Step st : run.parent().steps().subList(0, run.branchAt())) {
                    run.add(st);
                    runner.accept(st.token());
                    context.add(st.token());
                }
                start = run.branchAt();
            }
            if (cancel.get()) {
                run.finish(Run.Ending.STOPPED);
                return;
            }
            int[] forced = r.forced();
            int first = start;
            GenerationRequest request = GenerationRequest.ofTokens(context.stream().mapToInt(Integer::intValue).toArray(), r.maxTokens() - start)
                    .withForced(Arrays.copyOfRange(forced, Math.min(start, forced.length), forced.length)).withTopN(10);
            Generator gen = new Generator(cache(), tok);
            generator = gen;
            if (cancel.get()) {
                gen.cancel();
            }
            var done = gen.generate(request, runner, e -> {
                if (e instanceof GenerationEvent.TokenEvent t && t.token() >= 0) {
                    boolean keep = (long) vocab * (first + t.index() + 1) <= MAX_KEPT_LOGITS;
                    run.add(new Step(t.token(), new String(t.piece().bytes(), StandardCharsets.UTF_8),
                            TokenDisplay.label(tok.piece(t.token(), true), tok.type(t.token())), t.p(), t.logit(),
                            keep ? t.logits().clone() : null, t.alternatives()));
                    onStep.accept(run);
                }
            });
            run.finish(switch (done.reason()) {
                case MAX_TOKENS, STOP_STRING -> Run.Ending.MAX_TOKENS;
                case END_OF_GENERATION -> Run.Ending.END_OF_TEXT;
                case CANCELLED -> Run.Ending.STOPPED;
                case CONTEXT_FULL -> Run.Ending.CONTEXT_FULL;
            });
        } catch (CancellationException e) {
            run.finish(Run.Ending.STOPPED);
        } catch (RuntimeException e) {
            run.fail(e.getMessage());
        } finally {
            generator = null;
            try {
                applySteering(steering); // the distribution shown next is the page's steering's
            } catch (RuntimeException e) {
                run.fail("Steering could not be restored: " + e.getMessage());
            }
            onStep.accept(run);
        }
    }

    /** Stops work and frees the context. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stop();
        worker.submit(() -> {
            if (session != null) {
                session.close();
                session = null;
            }
        });
        worker.shutdown();
    }

    /** True once closed. */
    synchronized boolean isClosed() { // for the tests: a tab that went away closed its session
        return closed;
    }
}
