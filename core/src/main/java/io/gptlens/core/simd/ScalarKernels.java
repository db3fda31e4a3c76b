package io.gptlens.core.simd;

/** The plain loops behind {@link Simd} when the Vector API is absent. */
final class ScalarKernels {

    private ScalarKernels() {
    }

    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    static float dotInt8(float[] q, byte[] codes, int off) {
        float s = 0;
        for (int i = 0; i < q.length; i++) {
            s += q[i] * codes[off + i];
        }
        return s;
    }

    static float dotInt8(float[] q, java.lang.foreign.MemorySegment codes, long off) {
        float s = 0;
        for (int i = 0; i < q.length; i++) {
            s += q[i] * codes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + i);
        }
        return s;
    }

    static int firstNaN(float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Float.isNaN(x[i])) {
                return i;
            }
        }
        return -1;
    }

    static float max(float[] x, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[i]);
        }
        return m;
    }

    static double sumExp(float[] x, int from, int to, float shift) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += Math.exp(x[i] - shift);
        }
        return s;
    }

    static double expInto(float[] x, float[] out, int n, float shift) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[i] - shift);
            out[i] = e;
            s += e;
        }
        return s;
    }

    static void scale(float[] x, int n, float f) {
        for (int i = 0; i < n; i++) {
            x[i] *= f;
        }
    }

    static int nextAbove(float[] x, int from, int to, float threshold) {
        for (int i = from; i < to; i++) {
            if (x[i] > threshold) {
                return i;
            }
        }
        return to;
    }
}
