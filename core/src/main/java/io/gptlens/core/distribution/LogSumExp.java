package io.gptlens.core.distribution;

/**
 * {@code log(sum_j exp(x_j))} accumulated in one pass, safely: the sum is kept relative to the
 * largest value seen and rescaled when a larger one comes. The one home of that arithmetic for
 * {@link Softmax}, {@link LogitSummary} and the logit lens. {@code +infinity} makes the result
 * {@code +infinity}; with only {@code -infinity} (or nothing) it is {@code -infinity}; a NaN added
 * makes it NaN (callers refuse NaN first, saying which logit). Not thread-safe.
 */
public final class LogSumExp {

    private double max = Double.NEGATIVE_INFINITY;
    private double sum;

    /** Adds one value. */
    public void add(double x) {
        if (Double.isNaN(x) || Double.isNaN(max)) {
            max = Double.NaN; // sticky: a NaN anywhere makes the result NaN, whatever the order
            return;
        }
        if (x > max) {
            sum = (max == Double.NEGATIVE_INFINITY ? 0 : sum * Math.exp(max - x)) + 1;
            max = x;
        } else if (x != Double.NEGATIVE_INFINITY && max != Double.POSITIVE_INFINITY) {
            sum += Math.exp(x - max);
        }
    }

    /**
     * Raises the reference to {@code m} if it is larger (a block's maximum, before its
     * {@link #addRelative} sum is computed against {@link #max()}).
     */
    public void raiseTo(double m) {
        if (Double.isNaN(m)) {
            max = Double.NaN;
        } else if (m > max) {
            sum = max == Double.NEGATIVE_INFINITY ? 0 : sum * Math.exp(max - m);
            max = m;
        }
    }

    /** Adds {@code sum_j exp(x_j - max())} of values the caller summed itself (e.g. with SIMD). */
    public void addRelative(double sumExp) {
        if (max != Double.NEGATIVE_INFINITY && max != Double.POSITIVE_INFINITY) {
            sum += sumExp;
        }
    }

    /** The largest value added (the reference of the sum). */
    public double max() {
        return max;
    }

    /** {@code log(sum_j exp(x_j))}. */
    public double value() {
        return Double.isNaN(max) || max == Double.NEGATIVE_INFINITY || max == Double.POSITIVE_INFINITY ? max : max + Math.log(sum);
    }

    /** Back to empty, for reuse. */
    public void reset() {
        max = Double.NEGATIVE_INFINITY;
        sum = 0;
    }
}
