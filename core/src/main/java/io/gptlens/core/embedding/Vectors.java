package io.gptlens.core.embedding;

/**
 * Vector arithmetic on embedding rows: dot product (how well two vectors align), norms, cosine,
 * sums and differences for analogies and directions. Computed in double precision. Stateless.
 */
public final class Vectors {

    private Vectors() {
    }

    public static double dot(float[] a, float[] b) {
        check(a, b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    public static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** Cosine similarity; 0 if either vector is zero. */
    public static double cosine(float[] a, float[] b) {
        double na = norm(a);
        double nb = norm(b);
        return na == 0 || nb == 0 ? 0 : dot(a, b) / (na * nb);
    }

    /** {@code a / |a|} (a zero vector stays zero). */
    public static float[] normalize(float[] a) {
        double n = norm(a);
        float[] out = new float[a.length];
        if (n > 0) {
            for (int i = 0; i < a.length; i++) {
                out[i] = (float) (a[i] / n);
            }
        }
        return out;
    }

    /** {@code sum_i c_i * v_i}. */
    public static float[] combine(float[][] vs, double[] c) {
        float[] out = new float[vs[0].length];
        for (int k = 0; k < vs.length; k++) {
            check(vs[0], vs[k]);
            for (int i = 0; i < out.length; i++) {
                out[i] += (float) (c[k] * vs[k][i]);
            }
        }
        return out;
    }

    /** The mean of several vectors. */
    public static float[] mean(float[]... vs) {
        double[] c = new double[vs.length];
        java.util.Arrays.fill(c, 1.0 / vs.length);
        return combine(vs, c);
    }

    private static void check(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("Vectors differ in length: " + a.length + " vs " + b.length);
        }
    }
}
