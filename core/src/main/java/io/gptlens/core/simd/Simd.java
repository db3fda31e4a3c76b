package io.gptlens.core.simd;

/**
 * The one entry point for vectorised loops: each method runs with the Vector API when the JVM
 * has {@code jdk.incubator.vector} ({@code --add-modules jdk.incubator.vector}, as the launcher
 * and the build start it) and as a plain loop otherwise, with the same results up to float
 * rounding. Stateless and thread-safe.
 */
public final class Simd {

    /** True when the Vector API is in use. */
    public static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !Boolean.getBoolean("gptlens.simd.off");

    private Simd() {
    }

    /** The dot product of the first {@code a.length} entries of two vectors. */
    public static float dot(float[] a, float[] b) {
        if (b.length < a.length) {
            throw new IllegalArgumentException("vectors differ in length: " + a.length + " vs " + b.length);
        }
        return VECTOR ? VectorKernels.dot(a, 0, b, 0, a.length) : ScalarKernels.dot(a, 0, b, 0, a.length);
    }

    /** The dot product of {@code a[ao, ao+n)} and {@code b[bo, bo+n)}. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        return VECTOR ? VectorKernels.dot(a, ao, b, bo, n) : ScalarKernels.dot(a, ao, b, bo, n);
    }

    /**
     * {@code sum_i q[i] * codes[off + i]} over {@code q.length} signed bytes: the dot product of a
     * float query with one int8-quantised row (the row's scale applied by the caller).
     */
    public static float dotInt8(float[] q, byte[] codes, int off) {
        return VECTOR ? VectorKernels.dotInt8(q, codes, off) : ScalarKernels.dotInt8(q, codes, off);
    }

    /** {@link #dotInt8(float[], byte[], int)} over codes in native or mapped memory. */
    public static float dotInt8(float[] q, java.lang.foreign.MemorySegment codes, long off) {
        return VECTOR ? VectorKernels.dotInt8(q, codes, off) : ScalarKernels.dotInt8(q, codes, off);
    }

    /** Index of the first NaN among {@code x[from, to)}, or -1. */
    public static int firstNaN(float[] x, int from, int to) {
        return VECTOR ? VectorKernels.firstNaN(x, from, to) : ScalarKernels.firstNaN(x, from, to);
    }

    /** The largest of {@code x[0, n)} ({@code -infinity} for n = 0; NaN is not checked). */
    public static float max(float[] x, int n) {
        return VECTOR ? VectorKernels.max(x, n) : ScalarKernels.max(x, n);
    }

    /**
     * {@code sum_i exp(x[i] - shift)} over {@code [from, to)}, in float lanes summed in double.
     * {@code shift} should be the maximum so that no term exceeds 1.
     */
    public static double sumExp(float[] x, int from, int to, float shift) {
        return VECTOR ? VectorKernels.sumExp(x, from, to, shift) : ScalarKernels.sumExp(x, from, to, shift);
    }

    /** {@code out[i] = exp(x[i] - shift)} over {@code [0, n)}; returns their sum (in double). */
    public static double expInto(float[] x, float[] out, int n, float shift) {
        return VECTOR ? VectorKernels.expInto(x, out, n, shift) : ScalarKernels.expInto(x, out, n, shift);
    }

    /** {@code x[i] *= f} over {@code [0, n)}. */
    public static void scale(float[] x, int n, float f) {
        if (VECTOR) {
            VectorKernels.scale(x, n, f);
        } else {
            ScalarKernels.scale(x, n, f);
        }
    }

    /**
     * The first index in {@code [from, to)} whose value exceeds {@code threshold}, or {@code to}:
     * the scan behind top-N selection, which only looks closer where a lane beats the current
     * N-th best.
     */
    public static int nextAbove(float[] x, int from, int to, float threshold) {
        return VECTOR ? VectorKernels.nextAbove(x, from, to, threshold) : ScalarKernels.nextAbove(x, from, to, threshold);
    }
}
