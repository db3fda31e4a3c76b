package io.gptlens.core.generation;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.distribution.Softmax;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.generation.GenerationEvent.DoneEvent;
import io.gptlens.core.generation.GenerationEvent.PromptEvent;
import io.gptlens.core.generation.GenerationEvent.TokenEvent;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Session;
import io.gptlens.core.sampling.ChainRunner;
import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
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
    private final Tokenizer tokenizer;
    private final AtomicBoolean cancelled = new AtomicBoolean();

    public Generator(Session session, Tokenizer tokenizer) {
        this.session = session;
        this.tokenizer = tokenizer;
    }

    /** Stops the generation at the next step. Thread-safe; idempotent. */
    public void cancel() {
        cancelled.set(true);
        session.cancel();
    }

    /**
     * Runs a generation, calling {@code listener} for each event on this thread, and returns the
     * final {@link DoneEvent} (which the listener also receives).
     *
     * @throws IllegalArgumentException if the prompt does not fit the context
     * @throws io.gptlens.core.sampling.SamplerException if a sampler stage fails
     */
    public DoneEvent generate(GenerationRequest request, ChainRunner chain, Consumer<? super GenerationEvent> listener) {
        int[] prompt = tokenizer.encode(request.prompt(), request.addSpecial(), request.parseSpecial());
        if (prompt.length == 0) {
            throw new IllegalArgumentException("The prompt is empty and the tokenizer adds no start token; give some text");
        }
        int ctx = session.contextLength();
        if (prompt.length >= ctx) {
            throw new IllegalArgumentException("The prompt has " + prompt.length + " tokens but the context holds " + ctx);
        }
        int seq = request.sequence();
        session.removeTokens(seq, -1, -1);

        long t0 = System.nanoTime();
        try {
            evaluateChunked(prompt, 0, seq);
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
            float[] logits = session.logits(-1);
            double logSumExp = Softmax.logSumExp(logits);
            Candidates candidates = Candidates.fromLogits(logits);
            int token = chain.sample(candidates);
            chain.accept(token);
            generated.add(token);
            int idx = candidates.indexOf(token);
            double sampledP = candidates.probabilitiesValid() && idx >= 0 ? candidates.p(idx) : Double.NaN;
            if (tokenizer.isEndOfGeneration(token)) {
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            Piece piece = tokenizer.piece(token, false);
            String delta = text.add(piece.bytes());
            List<TopN.Entry> alts = request.topN() > 0 ? TopN.of(logits, logSumExp, request.topN()) : List.of();
            double logprob = logits[token] - logSumExp;
            long now = System.nanoTime();
            listener.accept(new TokenEvent(generated.size() - 1, pos, token, piece, delta, logits[token], Math.exp(logprob),
                    logprob, sampledP, alts, now - stepStart));
            stepStart = now;
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
                session.evaluate(Batch.of(new int[]{token}, pos, seq));
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
                    Double.NaN, Double.NaN, Double.NaN, List.of(), 0));
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

    /** Evaluates {@code tokens} starting at {@code start} in batches no larger than the session allows. */
    void evaluateChunked(int[] tokens, int start, int seq) {
        int n = session.batchSize();
        for (int off = 0; off < tokens.length; off += n) {
            int[] chunk = Arrays.copyOfRange(tokens, off, Math.min(tokens.length, off + n));
            session.evaluate(Batch.of(chunk, start + off, seq));
        }
    }
}
