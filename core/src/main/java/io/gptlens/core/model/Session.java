package io.gptlens.core.model;

import io.gptlens.core.sampling.ChainRunner;
import io.gptlens.core.sampling.SamplerChain;

/**
 * A running context over a model: a KV cache holding one or more sequences, and the logits of
 * the last evaluated batch.
 *
 * <p><b>Thread-safety:</b> not thread-safe; use from one thread at a time, except
 * {@link #cancel()}, which any thread may call. <b>Ownership:</b> the session owns its native
 * context and must be closed; closing twice is safe; use after close throws
 * {@link IllegalStateException}.
 */
public interface Session extends AutoCloseable {

    /** The model this session runs. */
    Model model();

    /** Tokens of KV cache available. */
    int contextLength();

    /** Largest batch one {@link #evaluate} takes. */
    int batchSize();

    /** Number of sequence ids available (0 .. n-1). */
    int maxSequences();

    /**
     * Runs the model over a batch, adding it to the KV cache. Batches larger than
     * {@link #batchSize()} must be split by the caller.
     *
     * @throws IllegalArgumentException   for an invalid token, position or sequence id, or a batch too large
     * @throws java.util.concurrent.CancellationException if {@link #cancel()} stopped it
     * @throws IllegalStateException      if the runtime fails (e.g. the context is full)
     */
    void evaluate(Batch batch);

    /**
     * Logits (one per vocabulary entry) for token {@code i} of the last batch, which must have
     * been marked as an output. {@code -1} means the last output.
     */
    float[] logits(int i);

    /**
     * Copies the logits of output {@code i} (as {@link #logits(int)}) into {@code into}, which must
     * hold at least a vocabulary's worth, and returns it: the per-token path of a generation, which
     * allocates nothing.
     */
    default float[] logits(int i, float[] into) {
        float[] l = logits(i);
        if (into.length < l.length) {
            throw new IllegalArgumentException("A buffer of " + into.length + " floats cannot hold " + l.length + " logits");
        }
        System.arraycopy(l, 0, into, 0, l.length);
        return into;
    }

    /** Embedding of token {@code i} of the last batch (sessions opened with embeddings). */
    float[] embedding(int i);

    /**
     * The pooled embedding of a whole sequence (sessions opened with embeddings on a model that
     * pools, e.g. mean pooling for sentence embeddings).
     *
     * @throws UnsupportedOperationException if the backend or model does not pool
     */
    default float[] sequenceEmbedding(int sequence) {
        throw new UnsupportedOperationException("This session does not pool embeddings");
    }

    /**
     * A runner that runs {@code chain} inside the backend (for llama.cpp: one
     * {@code llama_sampler_chain}, with each Java stage wrapped as a native sampler that calls back
     * into Java). The chain must stay open while the runner is used; close the runner first.
     *
     * @throws UnsupportedOperationException if the backend has no native sampling
     */
    default ChainRunner runNatively(SamplerChain chain) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot run sampler chains natively");
    }

    /**
     * Adds {@code perLayer[l]} to the residual stream after block {@code l} in every evaluation from
     * now on (llama.cpp's control vector); null, or all-null rows, clears it. What the KV cache holds
     * was computed before and stays as it was: clear or re-evaluate what must be steered.
     *
     * @param perLayer {@code [layers][embedding]}, row 0 null (block 0's output cannot be steered)
     * @throws IllegalArgumentException      when the shape does not fit the model
     * @throws UnsupportedOperationException when the backend cannot steer
     */
    default void steer(float[][] perLayer) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot steer the residual stream");
    }

    /** Removes positions {@code [p0, p1)} of a sequence from the cache; -1 bounds mean open. */
    void removeTokens(int sequence, int p0, int p1);

    /** Copies positions {@code [p0, p1)} of {@code src} to {@code dst} (shares cache cells, no recompute). */
    void copySequence(int src, int dst, int p0, int p1);

    /** Removes every sequence but {@code sequence}. */
    void keepOnly(int sequence);

    /** Largest position held for a sequence, or -1 if it is empty. */
    int maxPosition(int sequence);

    /** Empties the cache. */
    void clear();

    /** Asks a running {@link #evaluate} to stop as soon as it can. Thread-safe. */
    void cancel();

    /**
     * Withdraws a {@link #cancel()} that no evaluation has taken yet, so that a cancel which came
     * after its generation ended does not stop the next one. Thread-safe.
     */
    default void clearCancel() {
    }

    @Override
    void close();
}
