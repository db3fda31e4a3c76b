package io.gptlens.core.steering;

import java.util.List;

/**
 * A direction from contrastive prompts: the residual stream at each layer (at a prompt's last
 * token) for prompts that show a concept ("positive", e.g. "Love …") and prompts that show its
 * opposite ("negative", "Hate …").
 *
 * <ul>
 *   <li>{@link Method#MEAN}: the mean difference, {@code mean(positive) - mean(negative)} per layer.</li>
 *   <li>{@link Method#PCA}: the first principal component of the paired differences
 *       {@code positive_i - negative_i} (not centred, as llama.cpp's {@code cvector-generator}
 *       takes it), found by power iteration; its sign is the one the mean difference points to and
 *       its length the mean projection of the differences on it, so both methods give vectors of
 *       comparable size.</li>
 * </ul>
 */
public final class Contrastive {

    /** How the per-layer vector is made. */
    public enum Method {
        MEAN, PCA
    }

    static final int ITERATIONS = 200;

    private Contrastive() {
    }

    /**
     * The direction.
     *
     * @param positive per prompt, {@code [layer][d]}: the residual after each layer at its last token
     * @param negative the same for the opposite prompts (as many as {@code positive} for PCA)
     * @param first    the first layer to keep (>= 1)
     * @param last     the last layer to keep
     * @throws IllegalArgumentException when there are no prompts, the shapes differ, or PCA gets unpaired prompts
     */
    public static Direction direction(String name, List<float[][]> positive, List<float[][]> negative, Method method, int first, int last) {
        if (positive.isEmpty() || negative.isEmpty()) {
            throw new IllegalArgumentException("Give at least one positive and one negative prompt");
        }
        if (method == Method.PCA && positive.size() != negative.size()) {
            throw new IllegalArgumentException("PCA pairs the prompts: give as many positive as negative ones, got " + positive.size() + " and " + negative.size());
        }
        int layers = positive.getFirst().length;
        int d = positive.getFirst()[layers - 1].length;
        for (List<float[][]> side : List.of(positive, negative)) {
            for (float[][] p : side) {
                if (p.length != layers || p[last].length != d) {
                    throw new IllegalArgumentException("Every prompt needs " + layers + " layers of " + d + " values");
                }
            }
        }
        Direction.checkRange(layers, first, last);
        float[][] vectors = new float[layers][];
        for (int l = first; l <= last; l++) {
            double[] mean = new double[d];
            for (float[][] p : positive) {
                add(mean, p[l], 1.0 / positive.size());
            }
            for (float[][] p : negative) {
                add(mean, p[l], -1.0 / negative.size());
            }
            vectors[l] = toFloats(method == Method.MEAN ? mean : principal(positive, negative, l, mean));
        }
        return new Direction(name, d, vectors);
    }

    private static double[] principal(List<float[][]> positive, List<float[][]> negative, int layer, double[] mean) {
        int n = positive.size();
        int d = mean.length;
        double[][] diffs = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                diffs[i][j] = positive.get(i)[layer][j] - negative.get(i)[layer][j];
            }
        }
        double[] w = mean.clone();
        if (norm(w) == 0) {
            w = diffs[0].clone();
        }
        if (norm(w) == 0) {
            return new double[d]; // the prompts do not differ here
        }
        scale(w, 1 / norm(w));
        for (int it = 0; it < ITERATIONS; it++) { // w <- D^T D w, normalised
            double[] next = new double[d];
            for (double[] x : diffs) {
                double p = dot(x, w);
                for (int j = 0; j < d; j++) {
                    next[j] += p * x[j];
                }
            }
            double len = norm(next);
            if (len == 0) {
                break;
            }
            scale(next, 1 / len);
            double change = 0;
            for (int j = 0; j < d; j++) {
                change = Math.max(change, Math.abs(next[j] - w[j]));
            }
            w = next;
            if (change < 1e-12) {
                break;
            }
        }
        if (dot(w, mean) < 0) {
            scale(w, -1);
        }
        double projection = 0;
        for (double[] x : diffs) {
            projection += dot(x, w) / n;
        }
        scale(w, Math.abs(projection));
        return w;
    }

    private static void add(double[] into, float[] x, double f) {
        for (int j = 0; j < into.length; j++) {
            into[j] += f * x[j];
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static void scale(double[] a, double f) {
        for (int j = 0; j < a.length; j++) {
            a[j] *= f;
        }
    }

    private static float[] toFloats(double[] a) {
        float[] f = new float[a.length];
        for (int j = 0; j < a.length; j++) {
            f[j] = (float) a[j];
        }
        return f;
    }
}
