package io.gptlens.core.simd;

/**
 * The k best (id, score) pairs seen so far, best first: a sorted list of at most k entries that
 * takes a new entry only if it beats the k-th best strictly, so that among equal scores the one
 * offered first stays ahead. {@link #scan} offers a whole array with a vector threshold test, so
 * a 152k vocabulary costs one read and a handful of insertions. Reusable ({@link #reset}); not
 * thread-safe.
 */
public final class TopK {

    private final int[] ids;
    private final float[] scores;
    private int k;
    private int size;

    /** A list that can hold up to {@code capacity} entries; {@link #reset} chooses k. */
    public TopK(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        ids = new int[capacity];
        scores = new float[capacity];
        k = capacity;
    }

    /** Empties the list and keeps the best {@code k} from now on (1 <= k <= capacity). */
    public TopK reset(int k) {
        if (k < 1 || k > ids.length) {
            throw new IllegalArgumentException("k must be in [1, " + ids.length + "], got " + k);
        }
        this.k = k;
        size = 0;
        return this;
    }

    /** Number of entries held (at most k). */
    public int size() {
        return size;
    }

    /** Id of entry {@code i} (0 = best). */
    public int id(int i) {
        return ids[i];
    }

    /** Score of entry {@code i}. */
    public float score(int i) {
        return scores[i];
    }

    /** The score an entry must beat to get in: the k-th best, or -infinity while fewer than k are held. */
    public float threshold() {
        return size < k ? Float.NEGATIVE_INFINITY : scores[k - 1];
    }

    /** Offers one entry. */
    public void offer(int id, float score) {
        if (size == k && !(score > scores[k - 1])) {
            return;
        }
        place(size < k ? size++ : k - 1, id, score);
    }

    /** Puts the entry at slot {@code j} (a free or the worst slot) and moves it up past every lower score. */
    private void place(int j, int id, float score) {
        while (j > 0 && scores[j - 1] < score) {
            scores[j] = scores[j - 1];
            ids[j] = ids[j - 1];
            j--;
        }
        scores[j] = score;
        ids[j] = id;
    }

    /** Offers {@code x[i]} with id {@code i} for every i in {@code [from, to)}, in order. NaN never gets in once the list is full. */
    public void scan(float[] x, int from, int to) {
        int i = from;
        while (size < k && i < to) {
            offerFilling(i, x[i]);
            i++;
        }
        while (i < to) {
            i = Simd.nextAbove(x, i, to, scores[k - 1]);
            if (i < to) {
                offer(i, x[i]);
                i++;
            }
        }
    }

    /** While filling, every entry gets in (even -infinity), as a heap of the first k would hold them. */
    private void offerFilling(int id, float score) {
        place(size++, id, score);
    }
}
