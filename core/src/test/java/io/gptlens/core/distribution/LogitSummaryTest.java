package io.gptlens.core.distribution;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The one-pass summary against a direct computation in double precision, with a full sort as the top-N oracle. */
class LogitSummaryTest {

    private static float[] logits(int n, long seed, double scale) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) (r.nextGaussian() * scale);
        }
        return l;
    }

    private static double directLogSumExp(float[] l) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : l) {
            max = Math.max(max, x);
        }
        double s = 0;
        for (float x : l) {
            s += Math.exp(x - max);
        }
        return max + Math.log(s);
    }

    /** Ids by descending logit, lower id first on ties: a full sort. */
    private static int[] sortedIds(float[] l) {
        return IntStream.range(0, l.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -l[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    private static void check(float[] l, int topN) {
        LogitSummary s = new LogitSummary(100).compute(l, l.length, topN);
        double lse = directLogSumExp(l);
        assertEquals(lse, s.logSumExp(), 1e-5 * Math.max(1, Math.abs(lse)), "log-sum-exp");
        int[] order = sortedIds(l);
        assertEquals(order[0], s.argmax());
        assertEquals(l[order[0]], s.max());
        assertEquals(Math.min(topN, l.length), s.topCount());
        for (int i = 0; i < s.topCount(); i++) {
            assertEquals(order[i], s.topId(i), "top " + i);
            assertEquals(l[order[i]], s.topLogit(i));
            assertEquals(Math.exp(l[order[i]] - lse), s.top(topN).get(i).p(), 1e-6);
        }
    }

    @Test
    void matchesADirectComputationOnAQwenSizedVocabulary() {
        for (long seed = 0; seed < 4; seed++) {
            check(logits(151_936, seed, 4), 5);
            check(logits(151_936, seed + 10, 30), 20);
        }
        check(logits(262_144, 7, 8), 100);
    }

    @Test
    void oddSizesTiesAndInfinities() {
        check(logits(1, 1, 1), 5);
        check(logits(17, 2, 1), 5);
        check(logits(4097, 3, 1), 10);
        float[] ties = new float[10_000];
        Arrays.fill(ties, 2f);
        ties[9_000] = 3f;
        check(ties, 5); // 9000 first, then ids 0..3 (lower id first among equals)
        float[] inf = logits(9_000, 4, 3);
        for (int i = 0; i < inf.length; i += 3) {
            inf[i] = Float.NEGATIVE_INFINITY; // banned tokens
        }
        check(inf, 8);
        float[] late = logits(50_000, 5, 1);
        late[49_999] = 1000; // the maximum in the last block: earlier sums are rescaled
        check(late, 3);
    }

    @Test
    void refusesNaNAndAllMinusInfinity() {
        float[] l = logits(20_000, 6, 1);
        l[12_345] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LogitSummary(5).compute(l, l.length, 5));
        assertEquals("Logit 12345 is NaN", e.getMessage());
        float[] none = new float[300];
        Arrays.fill(none, Float.NEGATIVE_INFINITY);
        assertThrows(IllegalArgumentException.class, () -> new LogitSummary(5).compute(none, none.length, 5));
    }

    @Test
    void theSameAsTheSoftmaxTheGeneratorUsedBefore() {
        float[] l = logits(151_936, 11, 6);
        LogitSummary s = new LogitSummary(10).compute(l, l.length, 10);
        assertEquals(Softmax.logSumExp(l), s.logSumExp(), 1e-5);
        assertEquals(TopN.of(l, Softmax.logSumExp(l), 10).stream().map(TopN.Entry::id).toList(),
                s.top(10).stream().map(TopN.Entry::id).toList());
    }
}
