package io.gptlens.core.model;

/**
 * How to open a session.
 *
 * @param contextLength  tokens of KV cache per session; 0 = min(model's training context, 4096)
 * @param batchSize      largest batch one {@link Session#evaluate} call takes (default 512)
 * @param maxSequences   number of independent sequences (branches) the session holds (default 4)
 * @param threads        CPU threads; 0 = the number of available processors
 * @param flashAttention use flash attention; must be false to capture attention weights (default false)
 * @param embeddings     also compute embeddings (default false)
 */
public record SessionOptions(int contextLength, int batchSize, int maxSequences, int threads, boolean flashAttention,
                             boolean embeddings) {

    public SessionOptions {
        if (contextLength < 0 || batchSize < 1 || maxSequences < 1 || threads < 0) {
            throw new IllegalArgumentException("Invalid session options: " + contextLength + ", " + batchSize + ", " + maxSequences + ", " + threads);
        }
    }

    /** Defaults: context from the model (at most 4096), batch 512, 4 sequences, all cores, no flash attention. */
    public static SessionOptions defaults() {
        return new SessionOptions(0, 512, 4, 0, false, false);
    }

    public SessionOptions withContextLength(int n) {
        return new SessionOptions(n, batchSize, maxSequences, threads, flashAttention, embeddings);
    }

    public SessionOptions withThreads(int n) {
        return new SessionOptions(contextLength, batchSize, maxSequences, n, flashAttention, embeddings);
    }

    public SessionOptions withEmbeddings(boolean e) {
        return new SessionOptions(contextLength, batchSize, maxSequences, threads, flashAttention, e);
    }
}
