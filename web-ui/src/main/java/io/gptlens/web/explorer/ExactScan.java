package io.gptlens.web.explorer;

import io.gptlens.core.embedding.TokenFlags;
import io.gptlens.web.explorer.index.EmbeddingIndex;

import java.util.Set;

/**
 * Exact nearest rows by a full scan, for matrices small enough to keep in memory (all-MiniLM-L6-v2's
 * 30,522 × 384 takes 47 MB and scans in about 2 ms with the Vector API). It complements the HNSW
 * index: its candidates join the index's before re-ranking, so results on such matrices are exact
 * even for the few rows the graph search does not reach. Immutable and thread-safe.
 */
final class ExactScan {

    /** Largest matrix (rows × columns) kept for exact scans: 32 Mi floats, 128 MiB. */
    static final long MAX_FLOATS = 32L << 20;

    private static final boolean SIMD = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final float[][] rows;
    private final float[] norms;
    private final TokenFlags[] flags;

    ExactScan(float[][] rows, TokenFlags[] flags) {
        this.rows = rows;
        this.flags = flags;
        this.norms = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            norms[i] = (float) Math.sqrt(dot(rows[i], rows[i]));
        }
    }

    static float dot(float[] a, float[] b) {
        if (SIMD) {
            return SimdDot.dot(a, b);
        }
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** The ids of the {@code k} best rows by cosine or dot product, honouring the filter and the exclusions. */
    int[] top(float[] query, int k, EmbeddingIndex.Metric metric, EmbeddingIndex.Filter filter, Set<Integer> exclude) {
        float qn = (float) Math.sqrt(dot(query, query));
        int[] best = new int[k];
        float[] score = new float[k];
        java.util.Arrays.fill(score, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(best, -1);
        for (int i = 0; i < rows.length; i++) {
            TokenFlags f = flags[i];
            if ((filter.wholeWords() && !f.wordStart()) || (filter.alphabetic() && !f.alphabetic())
                    || (filter.hideSpecial() && (f.special() || f.byteToken())) || exclude.contains(i)) {
                continue;
            }
            float d = dot(query, rows[i]);
            float s = metric == EmbeddingIndex.Metric.DOT ? d : (norms[i] == 0 || qn == 0 ? 0 : d / (norms[i] * qn));
            if (s > score[k - 1]) {
                int j = k - 1;
                while (j > 0 && score[j - 1] < s) {
                    score[j] = score[j - 1];
                    best[j] = best[j - 1];
                    j--;
                }
                score[j] = s;
                best[j] = i;
            }
        }
        return java.util.Arrays.stream(best).filter(i -> i >= 0).toArray();
    }
}
