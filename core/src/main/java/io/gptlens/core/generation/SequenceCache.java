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
    private int[] tokens = new int[16];
    private int count;
    private float[] lastLogits;
    private boolean lastValid;
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
        return Arrays.copyOf(tokens, count);
    }

    /** How many tokens the last {@link #sync} had to evaluate (the rest came from the cache). */
    public int lastEvaluated() {
        return lastEvaluated;
    }

    /**
     * Makes the cache hold exactly {@code wanted} and returns the logits after its last token (a
     * new array).
     *
     * @throws IllegalArgumentException if {@code wanted} is empty or longer than the context
     */
    public float[] sync(int[] wanted) {
        syncInternal(wanted);
        return lastLogits.clone();
    }

    /**
     * As {@link #sync}, with the logits copied into {@code into} (at least a vocabulary long),
     * which is returned.
     */
    public float[] sync(int[] wanted, float[] into) {
        syncInternal(wanted);
        System.arraycopy(lastLogits, 0, into, 0, lastLogits.length);
        return into;
    }

    private void syncInternal(int[] wanted) {
        if (wanted.length == 0) {
            throw new IllegalArgumentException("Nothing to evaluate: the token list is empty");
        }
        if (wanted.length > session.contextLength()) {
            throw new IllegalArgumentException(wanted.length + " tokens do not fit the context of " + session.contextLength());
        }
        if (lastValid && Arrays.equals(wanted, 0, wanted.length, tokens, 0, count)) {
            lastEvaluated = 0;
            return;
        }
        int common = Arrays.mismatch(wanted, 0, wanted.length, tokens, 0, count);
        if (common < 0) {
            common = wanted.length;
        }
        if (common == wanted.length) {
            common--; // the last token must be evaluated again to get its logits
        }
        lastValid = false;
        session.removeTokens(sequence, common, -1);
        count = common;
        int n = session.batchSize();
        for (int off = common; off < wanted.length; off += n) {
            int[] chunk = Arrays.copyOfRange(wanted, off, Math.min(wanted.length, off + n));
            session.evaluate(Batch.of(chunk, off, sequence));
        }
        tokens = wanted.length > tokens.length ? Arrays.copyOf(wanted, Math.max(wanted.length, 2 * tokens.length)) : tokens;
        System.arraycopy(wanted, 0, tokens, 0, wanted.length);
        count = wanted.length;
        lastEvaluated = wanted.length - common;
        readLogits();
    }

    private void readLogits() {
        if (lastLogits == null) {
            lastLogits = session.logits(-1);
        } else {
            session.logits(-1, lastLogits);
        }
        lastValid = true;
    }

    /** Appends one token and returns the logits after it (a new array). */
    public float[] append(int token) {
        appendInternal(token);
        return lastLogits.clone();
    }

    /**
     * Appends one token and copies the logits after it into {@code into}, which is returned:
     * one evaluation and one copy, no allocation of a vocabulary's size.
     */
    public float[] append(int token, float[] into) {
        appendInternal(token);
        System.arraycopy(lastLogits, 0, into, 0, lastLogits.length);
        return into;
    }

    private void appendInternal(int token) {
        if (count + 1 > session.contextLength()) {
            throw new IllegalArgumentException((count + 1) + " tokens do not fit the context of " + session.contextLength());
        }
        lastValid = false;
        try {
            session.evaluate(Batch.of(new int[]{token}, count, sequence));
        } catch (RuntimeException e) {
            session.removeTokens(sequence, count, -1); // a cancelled or failed step leaves nothing behind
            throw e;
        }
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, 2 * tokens.length);
        }
        tokens[count++] = token;
        lastEvaluated = 1;
        readLogits();
    }
}
