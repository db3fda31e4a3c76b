package io.gptlens.core.distribution;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoftmaxTest {

    private static float[] vocab(int n, long seed, double scale) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) (r.nextGaussian() * scale);
        }
        return l;
    }

    private static double sum(double[] p) {
        double s = 0;
        for (double x : p) {
            s += x;
        }
        return s;
    }

    @Test
    void sumsToOneOnALargeVocabularyAtAnyTemperature() {
        float[] l = vocab(152_064, 1, 8);
        for (double t : new double[]{0, 1e-6, 0.1, 0.7, 1, 2, 5, 100, 1e6}) {
            double[] p = Softmax.probabilities(l, t);
            assertEquals(1.0, sum(p), 1e-9, "T=" + t);
            for (double x : p) {
                assertTrue(x >= 0 && x <= 1);
            }
        }
    }

    @Test
    void knownValues() {
        double[] p = Softmax.probabilities(new float[]{0, (float) Math.log(3)}, 1);
        assertEquals(0.25, p[0], 1e-7);
        assertEquals(0.75, p[1], 1e-7);
        // T = 2 halves the logits: weights 1 and sqrt(3)
        double[] q = Softmax.probabilities(new float[]{0, (float) Math.log(3)}, 2);
        assertEquals(1 / (1 + Math.sqrt(3)), q[0], 1e-7);
    }

    @Test
    void zeroTemperatureIsArgmaxAndHugeTemperatureIsUniform() {
        float[] l = {1, 9, 3, 9};
        double[] p = Softmax.probabilities(l, 0);
        assertEquals(List.of(0.0, 1.0, 0.0, 0.0), List.of(p[0], p[1], p[2], p[3]));
        double[] u = Softmax.probabilities(l, 1e9);
        for (double x : u) {
            assertEquals(0.25, x, 1e-6);
        }
    }

    @Test
    void noOverflowWithHugeLogitsAndMinusInfinity() {
        float[] l = {3e38f, 2.9e38f, Float.NEGATIVE_INFINITY};
        double[] p = Softmax.probabilities(l, 1);
        assertEquals(1.0, p[0], 1e-12);
        assertEquals(0.0, p[2]);
        double[] lp = Softmax.logProbabilities(new float[]{0, -2000, 0}, 1);
        assertEquals(-2000 - Math.log(2), lp[1], 1e-9); // exact even though p underflows
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Softmax.probabilities(new float[]{1}, -1));
        assertThrows(IllegalArgumentException.class, () -> Softmax.probabilities(new float[]{Float.NaN}, 1));
        assertThrows(IllegalArgumentException.class, () -> Softmax.probabilities(new float[]{Float.NEGATIVE_INFINITY}, 1));
        assertThrows(IllegalArgumentException.class, () -> Softmax.probabilities(new float[0], 1));
    }

    @Test
    void topNAndRank() {
        float[] l = {1, 5, 3, 5, 2};
        double[] p = Softmax.probabilities(l, 1);
        var top = TopN.of(l, p, null, 3);
        assertEquals(List.of(1, 3, 2), top.stream().map(TopN.Entry::id).toList());
        assertEquals(p[1], top.get(0).p());
        assertEquals(1, TopN.rank(l, 1));
        assertEquals(2, TopN.rank(l, 3));
        assertEquals(5, TopN.rank(l, 0));
    }

    @Test
    void theFloatKernelAgreesWithTheDoubleOne() {
        for (double scale : new double[]{0.01, 1, 30}) {
            float[] l = vocab(151_936, 11, scale);
            l[5] = Float.NEGATIVE_INFINITY;
            float[] f = new float[l.length];
            assertEquals(-1, Softmax.intoFloats(l, l.length, f));
            double[] p = Softmax.probabilities(l, 1);
            double sum = 0;
            for (int i = 0; i < l.length; i++) {
                assertEquals(p[i], f[i], Math.max(1e-12, 1e-5 * p[i]), "token " + i + " at scale " + scale);
                sum += f[i];
            }
            assertEquals(0f, f[5]);
            assertEquals(1, sum, 1e-4);
        }
    }

    @Test
    void infiniteLogitsShareTheMassInBothKernels() {
        float[] l = {1, Float.POSITIVE_INFINITY, 3, Float.POSITIVE_INFINITY};
        float[] f = new float[4];
        Softmax.intoFloats(l, 4, f);
        double[] p = Softmax.probabilities(l, 1);
        double[] lp = Softmax.logProbabilities(l, 1);
        for (int i = 0; i < 4; i++) {
            double want = i % 2 == 1 ? 0.5 : 0;
            assertEquals(want, f[i]);
            assertEquals(want, p[i]);
            assertEquals(Math.log(want), lp[i]);
        }
        assertEquals(1.0, Softmax.probabilities(l, 0)[1], "T = 0: the first argmax");
    }

    @Test
    void theFloatKernelNamesTheFirstNaNAndRefusesAllMinusInfinity() {
        float[] out = {7, 7, 7};
        assertEquals(1, Softmax.intoFloats(new float[]{0, Float.NaN, Float.NaN}, 3, out));
        assertEquals(7f, out[0], "nothing written");
        assertThrows(IllegalArgumentException.class, () -> Softmax.intoFloats(new float[]{Float.NEGATIVE_INFINITY}, 1, out));
        assertThrows(IllegalArgumentException.class, () -> Softmax.intoFloats(new float[]{1}, 0, out));
        Candidates c = Candidates.fromLogits(new float[]{0, Float.NaN});
        assertEquals("Logit of token 1 is NaN", assertThrows(IllegalStateException.class, c::softmax).getMessage());
        Candidates d = Candidates.fromLogits(new float[]{Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY});
        assertEquals("Cannot take the softmax: every logit is -infinity", assertThrows(IllegalStateException.class, d::softmax).getMessage());
    }

    @Test
    void candidatesSoftmaxMatchesSoftmax() {
        float[] l = vocab(1000, 3, 4);
        Candidates c = Candidates.fromLogits(l);
        c.sort();
        c.softmax();
        double[] p = Softmax.probabilities(l, 1);
        double s = 0;
        for (int i = 0; i < c.size(); i++) {
            // float probabilities from float-lane exponentials: within a few float ulps of the double result
            assertEquals(p[c.id(i)], c.p(i), Math.max(1e-12, 1e-6 * p[c.id(i)]));
            s += c.p(i);
            if (i > 0) {
                assertTrue(c.logit(i) <= c.logit(i - 1));
            }
        }
        assertEquals(1, s, 1e-5);
    }

    @Test
    void logSumExpGivesTheSameProbabilities() {
        float[] l = vocab(50_000, 9, 5);
        double lse = Softmax.logSumExp(l);
        double[] p = Softmax.probabilities(l, 1);
        for (int i = 0; i < l.length; i += 997) {
            assertEquals(p[i], Math.exp(l[i] - lse), 1e-12);
        }
        var a = TopN.of(l, p, null, 7);
        var b = TopN.of(l, lse, 7);
        for (int i = 0; i < 7; i++) {
            assertEquals(a.get(i).id(), b.get(i).id());
            assertEquals(a.get(i).p(), b.get(i).p(), 1e-12);
        }
    }

    @Test
    void keepTopKSelectsExactlyTheKLargestWithTies() {
        java.util.Random r = new java.util.Random(4);
        for (int round = 0; round < 50; round++) {
            int n = 1 + r.nextInt(3000);
            float[] l = new float[n];
            for (int i = 0; i < n; i++) {
                l[i] = r.nextInt(40); // many ties
            }
            int k = 1 + r.nextInt(n);
            Candidates c = Candidates.fromLogits(l);
            c.keepTopK(k);
            Candidates d = Candidates.fromLogits(l);
            d.sort();
            d.truncate(k);
            assertEquals(k, c.size());
            assertTrue(c.isSorted());
            float[] a = c.logits();
            float[] b = d.logits();
            org.junit.jupiter.api.Assertions.assertArrayEquals(b, a);
            org.junit.jupiter.api.Assertions.assertArrayEquals(d.ids(), c.ids(), "ties keep the lower position first");
        }
    }

    @Test
    void keepTopPEqualsSortingAndCuttingTheCumulativeSum() {
        java.util.Random r = new java.util.Random(8);
        for (double scale : new double[]{0.3, 2, 8}) { // flat (the full sort path) to peaked (the scan path)
            float[] l = vocab(151_936, (long) (scale * 10), scale);
            for (int i = 0; i < 500; i++) {
                l[r.nextInt(l.length)] = l[r.nextInt(l.length)]; // ties
            }
            for (double p : new double[]{0.5, 0.9, 0.95, 0.99}) {
                Candidates c = Candidates.fromLogits(l);
                c.softmax();
                c.keepTopP(p, 3);
                Candidates d = Candidates.fromLogits(l);
                d.sort();
                d.softmax();
                double cum = 0;
                int last = d.size();
                for (int i = 0; i < d.size(); i++) {
                    cum += d.p(i);
                    if (cum >= p && i + 1 >= 3) {
                        last = i + 1;
                        break;
                    }
                }
                d.truncate(last);
                assertEquals(d.size(), c.size(), "scale " + scale + ", p " + p);
                org.junit.jupiter.api.Assertions.assertArrayEquals(d.ids(), c.ids(), "scale " + scale + ", p " + p);
                assertTrue(c.isSorted());
            }
        }
    }
}
