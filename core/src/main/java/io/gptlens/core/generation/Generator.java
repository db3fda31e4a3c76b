package io.gptlens.core.generation;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.distribution.LogitSummary;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.generation.GenerationEvent.DoneEvent;
import io.gptlens.core.generation.GenerationEvent.PromptEvent;
import io.gptlens.core.generation.GenerationEvent.TokenEvent;
import io.gptlens.core.model.Session;
import io.gptlens.core.sampling.ChainRunner;
import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The generation loop: prompt -&gt; tokens -&gt; evaluate -&gt; logits -&gt; probabilities -&gt;
 * sampler chain -&gt; token, repeated until a stop condition, reporting each step as a
 * {@link GenerationEvent}.
 *
 * <p>A generator drives one session on the calling thread; {@link #cancel()} may be called from
 * any thread and stops the loop at the next step (and interrupts a running evaluation).
 * One generator runs one generation.
 */
public final class Generator {

    private final Session session;
    private final SequenceCache cache;
    private final Tokenizer tokenizer;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final Object running = new Object();
    private boolean generating;

    /** A generator on {@code session}; each generation clears its request's sequence first. */
    public Generator(Session session, Tokenizer tokenizer) {
        this.session = session;
        this.cache = null;
        this.tokenizer = tokenizer;
    }

    /**
     * A generator that evaluates through {@code cache}: a prompt that shares a prefix with what
     * the cache holds (an earlier run, a branch) evaluates only the rest.
     */
    public Generator(SequenceCache cache, Tokenizer tokenizer) {
        this.session = cache.session();
        this.cache = cache;
        this.tokenizer = tokenizer;
    }

    /**
     * Stops the generation at the next step (and a running evaluation). Thread-safe; idempotent;
     * after the generation has ended it does nothing, so it never stops the session's next generation.
     */
    public void cancel() {
        cancelled.set(true);
        synchronized (running) {
            if (generating) {
                session.cancel();
            }
        }
    }

    /**
     * Runs a generation, calling {@code listener} for each event on this thread, and returns the
     * final {@link DoneEvent} (which the listener also receives). The token that ends generation
     * (EOS, EOT) is reported as a {@link TokenEvent} with {@code end} set and no text.
     *
     * @throws IllegalArgumentException if the prompt is empty or does not fit the context, or a forced token is invalid
     * @throws io.gptlens.core.sampling.SamplerException if a sampler stage fails
     */
    public DoneEvent generate(GenerationRequest request, ChainRunner chain, Consumer<? super GenerationEvent> listener) {
        synchronized (running) {
            generating = true;
            session.clearCancel(); // a cancel meant for an earlier generation on this session
            if (cancelled.get()) {
                session.cancel(); // this generator was cancelled before it started: stop at the prompt
            }
        }
        GenerationActivity.enter();
        try {
            return run(request, chain, listener);
        } finally {
            GenerationActivity.exit();
            synchronized (running) {
                generating = false;
                session.clearCancel(); // a cancel that came as this generation ended
            }
        }
    }

    private DoneEvent run(GenerationRequest request, ChainRunner chain, Consumer<? super GenerationEvent> listener) {
        int[] prompt = request.promptTokens() != null ? request.promptTokens()
                : tokenizer.encode(request.prompt(), request.addSpecial(), request.parseSpecial());
        if (prompt.length == 0) {
            throw new IllegalArgumentException("The prompt is empty and the tokenizer adds no start token; give some text");
        }
        int ctx = session.contextLength();
        if (prompt.length >= ctx) {
            throw new IllegalArgumentException("The prompt has " + prompt.length + " tokens but the context holds " + ctx);
        }
        tokenizer.checkTokens(prompt);
        int[] forced = request.forced();
        tokenizer.checkTokens(forced);
        SequenceCache kv = cache != null ? cache : new SequenceCache(session, request.sequence());

        long t0 = System.nanoTime();
        // one logits buffer, one summary and one candidate set for the whole generation: nothing of
        // a vocabulary's size is allocated per token
        float[] logits;
        LogitSummary summary = new LogitSummary(Math.max(1, request.topN()));
        Candidates candidates = null;
        try {
            logits = kv.sync(prompt);
        } catch (CancellationException e) {
            return finish(listener, StopReason.CANCELLED, "", new int[0], prompt.length, System.nanoTime() - t0, 0);
        }
        long promptNanos = System.nanoTime() - t0;
        listener.accept(new PromptEvent(prompt, promptNanos));

        TextAssembler text = new TextAssembler(request.stop());
        List<Integer> generated = new ArrayList<>();
        int pos = prompt.length;
        long genStart = System.nanoTime();
        StopReason reason = StopReason.MAX_TOKENS;
        long stepStart = genStart;
        while (generated.size() < request.maxTokens()) {
            if (cancelled.get()) {
                reason = StopReason.CANCELLED;
                break;
            }
            double logSumExp = summary.compute(logits, logits.length, request.topN()).logSumExp();
            boolean isForced = generated.size() < forced.length;
            int token;
            double sampledP = Double.NaN;
            if (isForced) {
                token = forced[generated.size()];
            } else {
                candidates = candidates == null ? Candidates.withCapacity(logits.length) : candidates;
                token = chain.sample(candidates.reset(logits));
                int idx = candidates.indexOf(token);
                sampledP = candidates.probabilitiesValid() && idx >= 0 ? candidates.p(idx) : Double.NaN;
            }
            chain.accept(token);
            generated.add(token);
            boolean end = tokenizer.isEndOfGeneration(token);
            Piece piece = tokenizer.piece(token, false);
            String delta = end ? "" : text.add(piece.bytes());
            List<TopN.Entry> alts = request.topN() > 0 ? summary.top(request.topN()) : List.of();
            double logprob = logits[token] - logSumExp;
            long now = System.nanoTime();
            listener.accept(new TokenEvent(generated.size() - 1, pos, token, piece, delta, logits[token], Math.exp(logprob),
                    logprob, sampledP, alts, now - stepStart, logits, isForced, end, isForced ? null : candidates));
            stepStart = now;
            if (end) {
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            if (text.stopped()) {
                reason = StopReason.STOP_STRING;
                break;
            }
            if (generated.size() >= request.maxTokens()) {
                break;
            }
            if (pos + 1 >= ctx) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            try {
                kv.append(token, logits);
            } catch (CancellationException e) {
                reason = StopReason.CANCELLED;
                break;
            }
            pos++;
        }
        String tail = text.flush();
        if (!tail.isEmpty()) {
            // text held back for a possible stop string or an unfinished character, released at the end
            listener.accept(new TokenEvent(generated.size() - 1, pos, -1, new Piece(new byte[0], ""), tail, Float.NaN,
                    Double.NaN, Double.NaN, Double.NaN, List.of(), 0, null, false, false, null));
        }
        int[] ids = generated.stream().mapToInt(Integer::intValue).toArray();
        return finish(listener, reason, text.text(), ids, prompt.length, promptNanos, System.nanoTime() - genStart);
    }

    private DoneEvent finish(Consumer<? super GenerationEvent> listener, StopReason reason, String text, int[] ids,
                             int promptTokens, long promptNanos, long genNanos) {
        DoneEvent done = new DoneEvent(reason, text, ids, promptTokens, promptNanos, genNanos);
        listener.accept(done);
        return done;
    }
}
