package io.gptlens.core.training;

/**
 * The simplest language models over a tokenizer, as yardsticks for a trained GPT: a unigram model
 * (each token's frequency, add-½ smoothed) and a bigram model (interpolated absolute discounting,
 * D = 0.75, backing off to the unigram), both counted on the training tokens and scored on
 * held-out tokens in bits per byte of the text they stand for.
 */
public final class NgramBaseline {

    private static final double DISCOUNT = 0.75;

    private NgramBaseline() {
    }

    /** Bits per byte of {@code heldOut} under a unigram model of {@code train}. */
    public static double unigramBitsPerByte(int[] train, int[] heldOut, int vocabularySize, int[] tokenBytes) {
        double[] p = unigram(train, vocabularySize);
        double bits = 0;
        for (int t : heldOut) {
            bits -= Math.log(p[t]);
        }
        return bits / Math.log(2) / bytes(heldOut, tokenBytes);
    }

    /** Entropy of the unigram distribution of {@code tokens} (maximum likelihood), nats per token. */
    public static double unigramEntropy(int[] tokens, int vocabularySize) {
        long[] c = new long[vocabularySize];
        for (int t : tokens) {
            c[t]++;
        }
        double h = 0;
        for (long x : c) {
            if (x > 0) {
                double q = (double) x / tokens.length;
                h -= q * Math.log(q);
            }
        }
        return h;
    }

    /** Bits per byte of {@code heldOut} under a bigram model of {@code train}; the first held-out token is scored by the unigram. */
    public static double bigramBitsPerByte(int[] train, int[] heldOut, int vocabularySize, int[] tokenBytes) {
        double[] uni = unigram(train, vocabularySize);
        // counts of (prev, next) in a hash of long keys; per prev: total and number of distinct successors
        java.util.HashMap<Long, int[]> pairs = new java.util.HashMap<>();
        long[] total = new long[vocabularySize];
        int[] distinct = new int[vocabularySize];
        for (int i = 1; i < train.length; i++) {
            int[] c = pairs.computeIfAbsent(((long) train[i - 1] << 32) | train[i], k -> new int[1]);
            if (c[0]++ == 0) {
                distinct[train[i - 1]]++;
            }
            total[train[i - 1]]++;
        }
        double bits = -Math.log(uni[heldOut[0]]);
        for (int i = 1; i < heldOut.length; i++) {
            int prev = heldOut[i - 1];
            int next = heldOut[i];
            double p;
            if (total[prev] == 0) {
                p = uni[next];
            } else {
                int[] c = pairs.get(((long) prev << 32) | next);
                double count = c == null ? 0 : c[0];
                double lambda = DISCOUNT * distinct[prev] / total[prev];
                p = Math.max(count - DISCOUNT, 0) / total[prev] + lambda * uni[next];
            }
            bits -= Math.log(p);
        }
        return bits / Math.log(2) / bytes(heldOut, tokenBytes);
    }

    private static double[] unigram(int[] train, int v) {
        double[] p = new double[v];
        for (int t : train) {
            p[t]++;
        }
        double sum = train.length + 0.5 * v;
        for (int i = 0; i < v; i++) {
            p[i] = (p[i] + 0.5) / sum;
        }
        return p;
    }

    private static long bytes(int[] tokens, int[] tokenBytes) {
        long b = 0;
        for (int t : tokens) {
            b += tokenBytes[t];
        }
        if (b == 0) {
            throw new IllegalArgumentException("The held-out tokens stand for no text");
        }
        return b;
    }
}
