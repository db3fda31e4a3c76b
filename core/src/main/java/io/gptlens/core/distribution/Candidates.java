package io.gptlens.core.distribution;

import io.gptlens.core.simd.TopK;

import java.util.Arrays;

/**
 * A candidate distribution over tokens, the Java counterpart of llama.cpp's
 * {@code llama_token_data_array}: parallel arrays of token id, logit and probability, of which the
 * first {@link #size()} entries are live.
 *
 * <p>Samplers reshape it in place: they change logits, drop entries ({@link #truncate}) and
 * reorder them. Probabilities are valid only after {@link #softmax()} (or {@link #normalize()}) and
 * until the next change of logits; {@link #probabilitiesValid()} tells.
 *
 * <p>Not thread-safe: one sampler chain works on one instance at a time.
 */
public final class Candidates {

    private final int[] ids;
    private final float[] logits;
    private final float[] probs;
    private int size;
    private boolean sortedByLogit;
    private boolean probsValid;

    private Candidates(int[] ids, float[] logits) {
        this.ids = ids;
        this.logits = logits;
        this.probs = new float[ids.length];
        this.size = ids.length;
    }

    /** One candidate per token id {@code 0..logits.length-1}, with those logits (copied). */
    public static Candidates fromLogits(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("No logits: the vocabulary is empty");
        }
        int[] ids = new int[logits.length];
        Arrays.setAll(ids, i -> i);
        return new Candidates(ids, logits.clone());
    }

    /**
     * Candidates with room for {@code capacity} tokens, for {@link #reset} to fill token after
     * token without allocating (a generation's loop over a 152k vocabulary).
     */
    public static Candidates withCapacity(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("No logits: the vocabulary is empty");
        }
        return new Candidates(new int[capacity], new float[capacity]);
    }

    /**
     * Makes these candidates what {@link #fromLogits} would make of {@code logits}: one per token
     * id {@code 0..logits.length-1}, with those logits (copied), unsorted, probabilities invalid.
     *
     * @throws IllegalArgumentException if {@code logits} is empty or longer than the capacity
     */
    public Candidates reset(float[] logits) {
        int n = logits.length;
        if (n == 0 || n > ids.length) {
            throw new IllegalArgumentException("Cannot hold " + n + " logits (capacity " + ids.length + ")");
        }
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        System.arraycopy(logits, 0, this.logits, 0, n);
        size = n;
        sortedByLogit = false;
        probsValid = false;
        return this;
    }

    /** Candidates with the given ids and logits (copied; same length). */
    public static Candidates of(int[] ids, float[] logits) {
        if (ids.length != logits.length || ids.length == 0) {
            throw new IllegalArgumentException("ids and logits must be non-empty and of equal length: " + ids.length + " vs " + logits.length);
        }
        return new Candidates(ids.clone(), logits.clone());
    }

    /** A deep copy. */
    public Candidates copy() {
        Candidates c = new Candidates(ids.clone(), logits.clone());
        System.arraycopy(probs, 0, c.probs, 0, probs.length);
        c.size = size;
        c.sortedByLogit = sortedByLogit;
        c.probsValid = probsValid;
        return c;
    }

    /** Number of live candidates. */
    public int size() {
        return size;
    }

    /** Token id of entry {@code i}. */
    public int id(int i) {
        check(i);
        return ids[i];
    }

    /** Logit of entry {@code i}. */
    public float logit(int i) {
        check(i);
        return logits[i];
    }

    /** Probability of entry {@code i}; valid only when {@link #probabilitiesValid()}. */
    public float p(int i) {
        check(i);
        return probs[i];
    }

    /** Sets the logit of entry {@code i}; invalidates probabilities and order. */
    public void setLogit(int i, float logit) {
        check(i);
        logits[i] = logit;
        probsValid = false;
        sortedByLogit = false;
    }

    /** Sets the probability of entry {@code i} (for pickers that reweight); caller keeps them normalised. */
    public void setP(int i, float p) {
        check(i);
        probs[i] = p;
    }

    /** Divides every logit by {@code t} (> 0). Order is preserved. */
    public void scaleLogits(double t) {
        for (int i = 0; i < size; i++) {
            logits[i] = (float) (logits[i] / t);
        }
        probsValid = false;
    }

    /** True if entries are in descending logit order. */
    public boolean isSorted() {
        return sortedByLogit;
    }

    /** True if {@link #p} values reflect the current logits and entries. */
    public boolean probabilitiesValid() {
        return probsValid;
    }

    /**
     * Sorts entries by descending logit; entries with equal logits keep their current order.
     * O(n log n) on primitive keys, no boxing (a 152k vocabulary sorts in a few milliseconds).
     */
    public void sort() {
        if (sortedByLogit) {
            return;
        }
        long[] keys = new long[size];
        for (int i = 0; i < size; i++) {
            int bits = Float.floatToIntBits(logits[i]);
            int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF); // signed order of these ints = order of the floats
            keys[i] = ((long) ~ordered << 32) | i;             // ~ reverses it: descending logits, then position
        }
        java.util.Arrays.sort(keys);
        gather(k -> (int) keys[k], size);
        sortedByLogit = true;
    }

    /**
     * Keeps the {@code k} entries with the largest logits, sorted descending, in O(n) selection plus
     * O(k log k) sorting (llama.cpp's top-k does the same work with a partial sort). Of entries tied
     * at the k-th logit, those first in the current order are kept.
     */
    public void keepTopK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("Must keep at least one candidate, asked for " + k);
        }
        if (k >= size) {
            sort();
            return;
        }
        if (k <= SCAN_TOP_K) {
            keepTopKByScan(k);
            return;
        }
        float[] tmp = java.util.Arrays.copyOf(logits, size);
        float kth = select(tmp, size - k);
        int above = 0;
        for (int i = 0; i < size; i++) {
            if (logits[i] > kth) {
                above++;
            }
        }
        int tiesWanted = k - above;
        int w = 0;
        for (int r = 0; r < size; r++) {
            float l = logits[r];
            if (l > kth || (l == kth && tiesWanted-- > 0)) {
                ids[w] = ids[r];
                logits[w] = logits[r];
                probs[w] = probs[r];
                w++;
            }
        }
        size = w;
        probsValid = false;
        sortedByLogit = false;
        sort();
    }

    /**
     * Keeps the smallest set of entries with the largest logits whose probabilities sum to at
     * least {@code p} (and at least {@code minKeep}), sorted descending: what sorting and cutting the
     * cumulative sum gives, without sorting a large vocabulary. Probabilities must be valid
     * ({@link #softmax()}); they are no longer normalised afterwards. On an unsorted set the best
     * 256 entries are found by a threshold scan; only if they hold less than p is the whole set
     * sorted (a peaked 152k distribution: 0.4 ms instead of 2.8 ms).
     */
    public void keepTopP(double p, int minKeep) {
        if (!probsValid) {
            throw new IllegalStateException("keepTopP needs valid probabilities: call softmax() first");
        }
        int keep = Math.max(1, minKeep);
        if (!sortedByLogit && size > SCAN_TOP_K) {
            // one try with the best 256 (a sorted insertion list: larger k costs more than the sort it saves)
            for (int k = 256; k <= 256 && k < size; k *= 8) {
                TopK best = new TopK(k);
                best.scan(logits, 0, size);
                double cum = 0;
                for (int j = 0; j < best.size(); j++) {
                    cum += probs[best.id(j)];
                    if (cum >= p && j + 1 >= keep) {
                        gather(best::id, j + 1);
                        size = j + 1;
                        sortedByLogit = true;
                        probsValid = false;
                        return;
                    }
                }
            }
        }
        boolean valid = probsValid;
        sort();
        probsValid = valid; // sorting moves the probabilities with their entries
        double cum = 0;
        for (int i = 0; i < size; i++) {
            cum += probs[i];
            if (cum >= p && i + 1 >= keep) {
                truncate(i + 1);
                return;
            }
        }
    }

    /** Makes entry {@code j} what entry {@code from(j)} was, for j in [0, n). */
    private void gather(java.util.function.IntUnaryOperator from, int n) {
        int[] ni = new int[n];
        float[] nl = new float[n];
        float[] np = new float[n];
        for (int j = 0; j < n; j++) {
            int i = from.applyAsInt(j);
            ni[j] = ids[i];
            nl[j] = logits[i];
            np[j] = probs[i];
        }
        System.arraycopy(ni, 0, ids, 0, n);
        System.arraycopy(nl, 0, logits, 0, n);
        System.arraycopy(np, 0, probs, 0, n);
    }

    /** Largest k for which {@link #keepTopK} scans once with a vector threshold instead of selecting. */
    private static final int SCAN_TOP_K = 512;

    /**
     * Top-k by one pass: a sorted list of the best k positions so far, and a vector scan that
     * only stops where a logit beats the k-th best (strictly, so earlier entries win ties, as
     * {@link #sort()}'s stable order would have it). Allocates k-sized arrays only.
     */
    private void keepTopKByScan(int k) {
        TopK best = new TopK(k);
        best.scan(logits, 0, size);
        gather(best::id, k);
        size = k;
        probsValid = false;
        sortedByLogit = true;
    }

    /** The element that would stand at index {@code n} if {@code a} were sorted ascending (quickselect; reorders {@code a}). */
    private static float select(float[] a, int n) {
        int lo = 0;
        int hi = a.length - 1;
        java.util.Random rnd = new java.util.Random(a.length);
        while (lo < hi) {
            float pivot = a[lo + rnd.nextInt(hi - lo + 1)];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (Float.compare(a[i], pivot) < 0) {
                    i++;
                }
                while (Float.compare(a[j], pivot) > 0) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (n <= j) {
                hi = j;
            } else if (n >= i) {
                lo = i;
            } else {
                return a[n];
            }
        }
        return a[n];
    }

    /**
     * Sets probabilities to the softmax of the logits ({@link Softmax#intoFloats}: the maximum
     * subtracted first, so no logit overflows). The order of entries is unchanged (call
     * {@link #sort()} first where order matters). Entries whose logit is -infinity get probability 0.
     *
     * @throws IllegalStateException if every logit is -infinity or any is NaN
     */
    public void softmax() {
        int nan;
        try {
            nan = Softmax.intoFloats(logits, size, probs);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Cannot take the softmax: " + e.getMessage().toLowerCase(java.util.Locale.ROOT), e);
        }
        if (nan >= 0) {
            throw new IllegalStateException("Logit of token " + ids[nan] + " is NaN");
        }
        probsValid = true;
    }

    /** Rescales the current probabilities of the live entries to sum to 1. */
    public void normalize() {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += probs[i];
        }
        if (!(sum > 0)) {
            throw new IllegalStateException("Cannot normalise: probabilities sum to " + sum);
        }
        for (int i = 0; i < size; i++) {
            probs[i] = (float) (probs[i] / sum);
        }
        probsValid = true;
    }

    /**
     * Keeps the first {@code n} entries (in current order). Probabilities of the kept entries are
     * no longer normalised; call {@link #softmax()} or {@link #normalize()} before using them.
     *
     * @throws IllegalArgumentException unless {@code 1 <= n}
     */
    public void truncate(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("Must keep at least one candidate, asked for " + n);
        }
        if (n < size) {
            size = n;
            probsValid = false;
        }
    }

    /**
     * Keeps only the entries for which {@code keep} is true, in order; keeps the first entry if
     * none would remain.
     */
    public void retain(java.util.function.IntPredicate keep) {
        int w = 0;
        for (int r = 0; r < size; r++) {
            if (keep.test(r)) {
                ids[w] = ids[r];
                logits[w] = logits[r];
                probs[w] = probs[r];
                w++;
            }
        }
        if (w == 0) {
            w = 1;
        }
        if (w != size) {
            size = w;
            probsValid = false;
        }
    }

    /**
     * Replaces the live entries with {@code n} given ones (for stages implemented outside Java,
     * such as llama.cpp's samplers). {@code n} may not exceed the original capacity.
     *
     * @param sorted     whether the entries are in descending logit order
     * @param probsValid whether {@code p} holds normalised probabilities of these entries
     */
    public void replace(int[] newIds, float[] newLogits, float[] newProbs, int n, boolean sorted, boolean probsValid) {
        if (n < 1 || n > ids.length || newIds.length < n || newLogits.length < n || newProbs.length < n) {
            throw new IllegalArgumentException("Cannot replace with " + n + " entries (capacity " + ids.length + ")");
        }
        System.arraycopy(newIds, 0, ids, 0, n);
        System.arraycopy(newLogits, 0, logits, 0, n);
        System.arraycopy(newProbs, 0, probs, 0, n);
        size = n;
        this.sortedByLogit = sorted;
        this.probsValid = probsValid;
    }

    /** Moves entry {@code i} to the front and keeps only it (a picked token). */
    public void select(int i) {
        check(i);
        ids[0] = ids[i];
        logits[0] = logits[i];
        probs[0] = 1f;
        size = 1;
        sortedByLogit = true;
        probsValid = true;
    }

    /** The index of the entry with the largest logit (ties: first). */
    public int argmax() {
        int best = 0;
        for (int i = 1; i < size; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The index of token {@code id}, or -1 if it is not a live candidate. */
    public int indexOf(int id) {
        for (int i = 0; i < size; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    /** Live ids (a copy). */
    public int[] ids() {
        return Arrays.copyOf(ids, size);
    }

    /** Live logits (a copy). */
    public float[] logits() {
        return Arrays.copyOf(logits, size);
    }

    /** Live probabilities (a copy). */
    public float[] probabilities() {
        return Arrays.copyOf(probs, size);
    }

    private void check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("candidate " + i + " of " + size);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Candidates[").append(size).append(":");
        for (int i = 0; i < Math.min(size, 5); i++) {
            sb.append(' ').append(ids[i]).append('=').append(logits[i]);
            if (probsValid) {
                sb.append("(p=").append(probs[i]).append(')');
            }
        }
        return sb.append(size > 5 ? " ...]" : "]").toString();
    }
}
