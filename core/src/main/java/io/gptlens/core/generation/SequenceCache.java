package io.gptlens.core.generation;

import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Session;

import java.util.Arrays;

/**
 * Keeps track of which tokens a session's sequence holds in its KV cache, so that moving to
 * another token list (a branch, an edited prompt) evaluates only what differs: the cache is cut
 * back to the common prefix ({@code Session.removeTokens}) and only the rest is evaluated.
 *
 * <p>Not thread-safe: used by the one thread that drives its session.
 */
public final class SequenceCache {

    private final Session session;
    private final int sequence;
    private int[] tokens = new int[0];
    private float[] lastLogits;
    private int lastEvaluated;

    public SequenceCache(Session session, int sequence) {
        this.session = session;
        this.sequence = sequence;
        session.removeTokens(sequence, -1, -1);
    }

    /** The session whose cache this is. */
    public Session session() {
        return session;
    }

    /** The tokens the cache holds. */
    public int[] tokens() {
        return tokens.clone();
    }

    /** How many tokens the last {@link #sync} had to evaluate (the rest came from the cache). */
    public int lastEvaluated() {
        return lastEvaluated;
    }

    /**
     * Makes the cache hold exactly {@code wanted} and returns the logits after its last token.
     *
     * @throws IllegalArgumentException if {@code wanted} is empty or longer than the context
     */
    public float[] sync(int[] wanted) {
        if (wanted.length == 0) {
            throw new IllegalArgumentException("Nothing to evaluate: the token list is empty");
        }
        if (wanted.length > session.contextLength()) {
            throw new IllegalArgumentException(wanted.length + " tokens do not fit the context of " + session.contextLength());
        }
        if (Arrays.equals(wanted, tokens) && lastLogits != null) {
            lastEvaluated = 0;
            return lastLogits.clone();
        }
        int common = 0;
        while (common < Math.min(wanted.length, tokens.length) && wanted[common] == tokens[common]) {
            common++;
        }
        if (common == wanted.length) {
            common--; // the last token must be evaluated again to get its logits
        }
        session.removeTokens(sequence, common, -1);
        tokens = Arrays.copyOf(tokens, common);
        int n = session.batchSize();
        for (int off = common; off < wanted.length; off += n) {
            int[] chunk = Arrays.copyOfRange(wanted, off, Math.min(wanted.length, off + n));
            session.evaluate(Batch.of(chunk, off, sequence));
        }
        tokens = wanted.clone();
        lastEvaluated = wanted.length - common;
        lastLogits = session.logits(-1);
        return lastLogits.clone();
    }

    /** Appends one token and returns the logits after it. */
    public float[] append(int token) {
        int[] next = Arrays.copyOf(tokens, tokens.length + 1);
        next[tokens.length] = token;
        return sync(next);
    }
}
