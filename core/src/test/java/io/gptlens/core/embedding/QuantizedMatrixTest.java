package io.gptlens.core.embedding;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The int8 scan's answers against a brute-force scan in double precision over the float rows. */
class QuantizedMatrixTest {

    static float[][] structured(int rows, int dim, long seed) {
        return SyntheticEmbeddings.structured(rows, dim, seed);
    }

    static int[] bruteForce(float[][] m, float[] q, int k, boolean cosine, IntPredicate accept) {
        double qn = Math.sqrt(Vectors.dot(q, q));
        double[] s = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            double d = Vectors.dot(q, m[i]);
            double n = Math.sqrt(Vectors.dot(m[i], m[i]));
            s[i] = cosine ? (n == 0 ? 0 : d / (n * qn)) : d;
        }
        return IntStream.range(0, m.length).filter(accept).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -s[i]).thenComparingInt(i -> i)).limit(k).mapToInt(Integer::intValue).toArray();
    }

    private static void check(float[][] m, long seed, ExecutorService pool) {
        try (Arena arena = Arena.ofShared()) {
            QuantizedMatrix qm = QuantizedMatrix.quantize(m.length, m[0].length, i -> m[i], arena, null);
            Random r = new Random(seed);
            for (int t = 0; t < 20; t++) {
                float[] q = t % 2 == 0 ? m[r.nextInt(m.length)].clone() : Vectors.combine(new float[][]{m[r.nextInt(m.length)], m[r.nextInt(m.length)]},
                        new double[]{1, -0.8});
                boolean cosine = t % 3 != 0;
                int k = 1 + r.nextInt(20);
                IntPredicate accept = t % 4 == 1 ? i -> i % 3 != 0 : i -> true;
                int[] want = bruteForce(m, q, k, cosine, accept);
                QuantizedMatrix.Hits got = qm.nearest(q, k, cosine, accept, i -> m[i], pool, 2);
                assertArrayEquals(want, got.ids(), "query " + t + (cosine ? " cosine" : " dot") + " k=" + k);
                assertTrue(got.rescored() < m.length / 10, "only a few rows are scored on floats: " + got.rescored());
            }
        }
    }

    @Test
    void exactOnStructuredRows() {
        check(structured(20_000, 96, 1), 2, null);
    }

    @Test
    void exactOnRandomRowsSplitOverThreads() {
        Random r = new Random(3);
        float[][] m = new float[30_000][128];
        for (float[] row : m) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            check(m, 4, pool);
            check(structured(12_345, 200, 5), 6, pool);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void zeroRowsAndBadInput() {
        float[][] m = structured(1000, 16, 7);
        m[10] = new float[16]; // a row of zeros has cosine 0 with everything
        try (Arena arena = Arena.ofShared()) {
            QuantizedMatrix qm = QuantizedMatrix.quantize(m.length, 16, i -> m[i], arena, null);
            float[] q = m[3].clone();
            assertArrayEquals(bruteForce(m, q, 5, true, i -> true), qm.nearest(q, 5, true, i -> true, i -> m[i], null, 1).ids());
            assertEquals(0, qm.nearest(q, 3, true, i -> i == 10, i -> m[i], null, 1).scores()[0]);
            assertThrows(IllegalArgumentException.class, () -> qm.nearest(new float[3], 5, true, i -> true, i -> m[i], null, 1));
            m[20][3] = Float.NaN;
            assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.quantize(m.length, 16, i -> m[i], arena, null));
        }
    }
}
