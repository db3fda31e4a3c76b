package io.gptlens.core.embedding;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorsTest {

    @Test
    void dotNormCosine() {
        float[] a = {3, 4};
        float[] b = {4, 3};
        assertEquals(24, Vectors.dot(a, b));
        assertEquals(5, Vectors.norm(a));
        assertEquals(24 / 25.0, Vectors.cosine(a, b), 1e-12);
        assertArrayEquals(new float[]{0.6f, 0.8f}, Vectors.normalize(a));
        assertArrayEquals(new float[]{2, 3}, Vectors.combine(new float[][]{{1, 1}, {2, 3}, {1, 1}}, new double[]{1, 1, -1}));
        assertArrayEquals(new float[]{1.5f, 2}, Vectors.mean(new float[]{1, 1}, new float[]{2, 3}));
        assertEquals(0, Vectors.cosine(new float[]{0, 0}, a));
    }

    @Test
    void pcaFindsTheLineThePointsLieOn() {
        float[][] pts = new float[20][3];
        for (int i = 0; i < 20; i++) {
            pts[i] = new float[]{i, 2 * i, 0.001f * (i % 2)};
        }
        double[][] p = Pca.project2d(pts);
        // the first component carries the spread along (1, 2, 0); the second almost nothing
        double spread1 = Math.abs(p[19][0] - p[0][0]);
        assertEquals(19 * Math.sqrt(5), spread1, 1e-3);
        for (double[] q : p) {
            assertTrue(Math.abs(q[1]) < 0.01);
        }
    }
}
