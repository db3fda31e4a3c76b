package io.gptlens.core.embedding;

import java.util.Random;

/**
 * Embedding matrices made up for tests and benchmarks, with the structure a graph index and a
 * quantised scan meet in real W_E matrices: rows clustered around shared directions, norms that
 * differ by an order of magnitude, and identical rows (like untrained tokens). Random Gaussian rows,
 * the other extreme, have no neighbourhood structure at all.
 */
public final class SyntheticEmbeddings {

    private SyntheticEmbeddings() {
    }

    /** Row {@code i} of a structured {@code rows × dim} matrix (deterministic for a seed; rows can be made one at a time). */
    public static float[] structuredRow(int i, int dim, long seed) {
        int clusters = 64;
        if (i % 97 == 5) {
            return structuredRow(i - 1, dim, seed); // a duplicate of the row before
        }
        Random r = new Random(seed * 1_000_003L + i);
        int c = r.nextInt(clusters);
        Random centre = new Random(seed * 7919L + c);
        double norm = Math.exp(0.8 * r.nextGaussian());
        float[] x = new float[dim];
        for (int j = 0; j < dim; j++) {
            x[j] = (float) (norm * (0.6 * centre.nextGaussian() + 0.5 * r.nextGaussian()));
        }
        return x;
    }

    /** A whole structured matrix. */
    public static float[][] structured(int rows, int dim, long seed) {
        float[][] m = new float[rows][];
        for (int i = 0; i < rows; i++) {
            m[i] = structuredRow(i, dim, seed);
        }
        return m;
    }

    /** Row {@code i} of a random Gaussian matrix. */
    public static float[] gaussianRow(int i, int dim, long seed) {
        Random r = new Random(seed * 1_000_003L + i);
        float[] x = new float[dim];
        for (int j = 0; j < dim; j++) {
            x[j] = (float) r.nextGaussian();
        }
        return x;
    }
}
