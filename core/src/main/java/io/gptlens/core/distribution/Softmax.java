package io.gptlens.core.distribution;

import io.gptlens.core.simd.Simd;

/**
 * Softmax with temperature over a full vocabulary, safe for any temperature {@code T >= 0} and
 * any finite or -infinite logits.
 *
 * <p>{@code p_i = exp((l_i - max) / T) / sum_j exp((l_j - max) / T)}, computed in double
 * precision. Subtracting the maximum first means no exponent exceeds 0, so nothing overflows for
 * large logits or small T. {@code T = 0} is the limit: all mass on the argmax (the first one on
 * ties); +infinite logits share all the mass. Very large T tends to the uniform distribution over tokens with finite logits.
 *
 * <p>Stateless and thread-safe.
 */
public final class Softmax {

    private Softmax() {
    }

    /**
     * Probabilities of every token at temperature {@code t}.
     *
     * @throws IllegalArgumentException if {@code t} is negative or NaN, or the logits are empty, contain NaN or are all -infinity
     */
    public static double[] probabilities(float[] logits, double t) {
        if (!(t >= 0)) {
            throw new IllegalArgumentException("Temperature must be >= 0, got " + t);
        }
        if (logits.length == 0) {
            throw new IllegalArgumentException("No logits");
        }
        int argmax = 0;
        for (int i = 0; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalArgumentException("Logit " + i + " is NaN");
            }
            if (logits[i] > logits[argmax]) {
                argmax = i;
            }
        }
        double max = logits[argmax];
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("Every logit is -infinity");
        }
        double[] p = new double[logits.length];
        if (t == 0) {
            p[argmax] = 1;
            return p;
        }
        if (max == Double.POSITIVE_INFINITY) { // the limit: the +infinite logits share all the mass, as in intoFloats
            int infinite = 0;
            for (float l : logits) {
                infinite += l == Float.POSITIVE_INFINITY ? 1 : 0;
            }
            for (int i = 0; i < logits.length; i++) {
                p[i] = logits[i] == Float.POSITIVE_INFINITY ? 1.0 / infinite : 0;
            }
            return p;
        }
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = Math.exp((logits[i] - max) / t);
            p[i] = e;
            sum += e;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * The same softmax at temperature 1 over the first {@code n} logits, written to {@code out} as
     * floats with the SIMD kernels: the one the sampler chain ({@link Candidates#softmax()}) draws
     * from, for a whole vocabulary per token. The maximum is subtracted first, as in
     * {@link #probabilities}; when some logits are +infinity they share all the mass. Agrees with
     * {@link #probabilities} to a few float ulps.
     *
     * @return the index of the first NaN logit (then {@code out} is unchanged), or -1
     * @throws IllegalArgumentException if {@code n} is not positive or every logit is -infinity
     */
    public static int intoFloats(float[] logits, int n, float[] out) {
        if (n <= 0) {
            throw new IllegalArgumentException("No logits");
        }
        int nan = Simd.firstNaN(logits, 0, n);
        if (nan >= 0) {
            return nan;
        }
        float max = Simd.max(logits, n);
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("Every logit is -infinity");
        }
        if (max == Float.POSITIVE_INFINITY) {
            int infinite = 0;
            for (int i = 0; i < n; i++) {
                infinite += logits[i] == Float.POSITIVE_INFINITY ? 1 : 0;
            }
            for (int i = 0; i < n; i++) {
                out[i] = logits[i] == Float.POSITIVE_INFINITY ? 1f / infinite : 0f;
            }
            return -1;
        }
        double sum = Simd.expInto(logits, out, n, max);
        Simd.scale(out, n, (float) (1 / sum));
        return -1;
    }

    /**
     * {@code log(sum_j exp(l_j))} at temperature 1, computed safely (maximum first): with it,
     * {@code log p_i = l_i - logSumExp} and {@code p_i = exp(l_i - logSumExp)} for any single token,
     * without a vocabulary-sized array.
     *
     * @throws IllegalArgumentException for empty logits, NaN, or all -infinity
     */
    public static double logSumExp(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("No logits");
        }
        LogSumExp lse = new LogSumExp();
        for (int i = 0; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalArgumentException("Logit " + i + " is NaN");
            }
            lse.add(logits[i]);
        }
        if (lse.max() == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("Every logit is -infinity");
        }
        return lse.value();
    }

    /**
     * Natural-log probabilities at temperature {@code t}: {@code (l_i - max)/T - log(sum)}, exact
     * even where {@code p_i} underflows to 0. At {@code T = 0}: 0 for the argmax, -infinity elsewhere.
     */
    public static double[] logProbabilities(float[] logits, double t) {
        double[] p = probabilities(logits, t); // validates
        double[] lp = new double[logits.length];
        if (t == 0) {
            for (int i = 0; i < lp.length; i++) {
                lp[i] = p[i] == 1 ? 0 : Double.NEGATIVE_INFINITY;
            }
            return lp;
        }
        LogSumExp lse = new LogSumExp();
        for (float l : logits) {
            lse.add(l / t);
        }
        if (lse.max() == Double.POSITIVE_INFINITY) {
            for (int i = 0; i < lp.length; i++) {
                lp[i] = Math.log(p[i]);
            }
            return lp;
        }
        double logSum = lse.value();
        for (int i = 0; i < lp.length; i++) {
            lp[i] = logits[i] / t - logSum;
        }
        return lp;
    }
}
