package io.gptlens.core.embedding;

import java.util.Random;

/**
 * A 2-D projection of a few vectors by principal component analysis: the two directions of
 * largest variance, found by power iteration with deflation on the centred data (no full
 * covariance matrix, so it works for thousands of dimensions). Deterministic. Stateless.
 */
public final class Pca {

    private Pca() {
    }

    /** Each vector's coordinates on the first two principal components: {@code [n][2]}. */
    public static double[][] project2d(float[][] vectors) {
        int n = vectors.length;
        if (n == 0) {
            return new double[0][2];
        }
        int d = vectors[0].length;
        double[][] x = new double[n][d];
        double[] mean = new double[d];
        for (float[] v : vectors) {
            for (int j = 0; j < d; j++) {
                mean[j] += v[j] / (double) n;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = vectors[i][j] - mean[j];
            }
        }
        double[][] out = new double[n][2];
        for (int c = 0; c < 2; c++) {
            double[] w = component(x, new Random(17 + c));
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += x[i][j] * w[j];
                }
                out[i][c] = s;
                for (int j = 0; j < d; j++) {
                    x[i][j] -= s * w[j]; // deflate
                }
            }
        }
        return out;
    }

    /** The leading right singular vector of {@code x} (unit length). */
    static double[] component(double[][] x, Random r) {
        int d = x[0].length;
        double[] w = new double[d];
        for (int j = 0; j < d; j++) {
            w[j] = r.nextGaussian();
        }
        normalize(w);
        for (int it = 0; it < 200; it++) {
            double[] next = new double[d];
            for (double[] row : x) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += row[j] * w[j];
                }
                for (int j = 0; j < d; j++) {
                    next[j] += s * row[j];
                }
            }
            if (normalize(next) == 0) {
                return w;
            }
            double delta = 0;
            for (int j = 0; j < d; j++) {
                delta += Math.abs(next[j] - w[j]);
            }
            w = next;
            if (delta < 1e-10) {
                break;
            }
        }
        return w;
    }

    private static double normalize(double[] v) {
        double n = 0;
        for (double a : v) {
            n += a * a;
        }
        n = Math.sqrt(n);
        if (n > 0) {
            for (int j = 0; j < v.length; j++) {
                v[j] /= n;
            }
        }
        return n;
    }
}
