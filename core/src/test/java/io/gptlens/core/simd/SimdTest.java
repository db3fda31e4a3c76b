package io.gptlens.core.simd;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vector kernels against the scalar ones and a direct double computation, at lengths that are and are not multiples of the lane count. */
class SimdTest {

    private static float[] gauss(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void theVectorApiIsInUseInTheBuild() {
        assertTrue(Simd.VECTOR, "tests run with --add-modules jdk.incubator.vector");
    }

    @Test
    void kernelsAgreeWithADirectComputation() {
        for (int n : new int[]{1, 7, 16, 33, 896, 4096, 10_001}) {
            float[] a = gauss(n, n);
            float[] b = gauss(n, n + 1);
            byte[] codes = new byte[n + 3];
            new Random(n).nextBytes(codes);
            double dot = 0, dot8 = 0, sumExp = 0, max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                dot += (double) a[i] * b[i];
                dot8 += (double) a[i] * codes[3 + i];
                max = Math.max(max, a[i]);
            }
            for (int i = 0; i < n; i++) {
                sumExp += Math.exp(a[i] - max);
            }
            assertEquals(dot, Simd.dot(a, b), 1e-4 * Math.sqrt(n));
            assertEquals(dot, ScalarKernels.dot(a, 0, b, 0, n), 1e-4 * Math.sqrt(n));
            assertEquals(dot8, Simd.dotInt8(a, codes, 3), 1e-3 * Math.sqrt(n) * 128);
            assertEquals(max, Simd.max(a, n));
            assertEquals(sumExp, Simd.sumExp(a, 0, n, (float) max), 1e-5 * sumExp);
            float[] out = new float[n];
            assertEquals(sumExp, Simd.expInto(a, out, n, (float) max), 1e-5 * sumExp);
            assertEquals(Math.exp(a[n - 1] - max), out[n - 1], 1e-6);
            assertEquals(-1, Simd.firstNaN(a, 0, n));
            a[n / 2] = Float.NaN;
            assertEquals(n / 2, Simd.firstNaN(a, 0, n));
            assertEquals(-1, Simd.firstNaN(a, n / 2 + 1, n));
            float[] s = b.clone();
            Simd.scale(s, n, 0.5f);
            assertEquals(b[n - 1] * 0.5f, s[n - 1]);
            int above = Simd.nextAbove(b, 0, n, 1.5f);
            int expected = 0;
            while (expected < n && !(b[expected] > 1.5f)) {
                expected++;
            }
            assertEquals(expected, above);
        }
    }
}
