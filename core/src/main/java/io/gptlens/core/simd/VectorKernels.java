package io.gptlens.core.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API loops behind {@link Simd}; loaded only when {@code jdk.incubator.vector} is present. */
final class VectorKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Bytes loaded per float vector of int8 codes: as many bytes as F has lanes. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, jdk.incubator.vector.VectorShape.forBitSize(F.length() * 8));

    private VectorKernels() {
    }

    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int l = F.length();
        int i = 0;
        for (; i + 2 * l <= n; i += 2 * l) {
            acc0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc0);
            acc1 = FloatVector.fromArray(F, a, ao + i + l).fma(FloatVector.fromArray(F, b, bo + i + l), acc1);
        }
        for (; i + l <= n; i += l) {
            acc0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc0);
        }
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    static float dotInt8(float[] q, byte[] codes, int off) {
        int n = q.length;
        int l = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * l <= n; i += 2 * l) {
            FloatVector c0 = (FloatVector) ByteVector.fromArray(B, codes, off + i).convertShape(VectorOperators.B2F, F, 0);
            FloatVector c1 = (FloatVector) ByteVector.fromArray(B, codes, off + i + l).convertShape(VectorOperators.B2F, F, 0);
            acc0 = FloatVector.fromArray(F, q, i).fma(c0, acc0);
            acc1 = FloatVector.fromArray(F, q, i + l).fma(c1, acc1);
        }
        for (; i + l <= n; i += l) {
            FloatVector c0 = (FloatVector) ByteVector.fromArray(B, codes, off + i).convertShape(VectorOperators.B2F, F, 0);
            acc0 = FloatVector.fromArray(F, q, i).fma(c0, acc0);
        }
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += q[i] * codes[off + i];
        }
        return s;
    }

    static float dotInt8(float[] q, java.lang.foreign.MemorySegment codes, long off) {
        int n = q.length;
        int l = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        java.nio.ByteOrder o = java.nio.ByteOrder.nativeOrder();
        int i = 0;
        for (; i + 2 * l <= n; i += 2 * l) {
            FloatVector c0 = (FloatVector) ByteVector.fromMemorySegment(B, codes, off + i, o).convertShape(VectorOperators.B2F, F, 0);
            FloatVector c1 = (FloatVector) ByteVector.fromMemorySegment(B, codes, off + i + l, o).convertShape(VectorOperators.B2F, F, 0);
            acc0 = FloatVector.fromArray(F, q, i).fma(c0, acc0);
            acc1 = FloatVector.fromArray(F, q, i + l).fma(c1, acc1);
        }
        for (; i + l <= n; i += l) {
            FloatVector c0 = (FloatVector) ByteVector.fromMemorySegment(B, codes, off + i, o).convertShape(VectorOperators.B2F, F, 0);
            acc0 = FloatVector.fromArray(F, q, i).fma(c0, acc0);
        }
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += q[i] * codes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + i);
        }
        return s;
    }

    static int firstNaN(float[] x, int from, int to) {
        int l = F.length();
        int i = from;
        for (; i + l <= to; i += l) {
            VectorMask<Float> nan = FloatVector.fromArray(F, x, i).test(VectorOperators.IS_NAN);
            if (nan.anyTrue()) {
                return i + nan.firstTrue();
            }
        }
        for (; i < to; i++) {
            if (Float.isNaN(x[i])) {
                return i;
            }
        }
        return -1;
    }

    static float max(float[] x, int n) {
        int l = F.length();
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i + l <= n; i += l) {
            m = m.max(FloatVector.fromArray(F, x, i));
        }
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            r = Math.max(r, x[i]);
        }
        return r;
    }

    static double sumExp(float[] x, int from, int to, float shift) {
        int l = F.length();
        FloatVector sh = FloatVector.broadcast(F, shift);
        double s = 0;
        int i = from;
        while (i + l <= to) { // float lanes over blocks of 1,024 values, then double
            FloatVector acc = FloatVector.zero(F);
            int end = Math.min(to, i + 1024);
            for (; i + l <= end; i += l) {
                acc = acc.add(FloatVector.fromArray(F, x, i).sub(sh).lanewise(VectorOperators.EXP));
            }
            s += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < to; i++) {
            s += Math.exp(x[i] - shift);
        }
        return s;
    }

    static double expInto(float[] x, float[] out, int n, float shift) {
        int l = F.length();
        FloatVector sh = FloatVector.broadcast(F, shift);
        double s = 0;
        int i = 0;
        // sums in float lanes over blocks of 1,024 values, then in double, so that long sums keep their precision
        while (i + l <= n) {
            FloatVector acc = FloatVector.zero(F);
            int end = Math.min(n, i + 1024);
            for (; i + l <= end; i += l) {
                FloatVector e = FloatVector.fromArray(F, x, i).sub(sh).lanewise(VectorOperators.EXP);
                e.intoArray(out, i);
                acc = acc.add(e);
            }
            s += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(x[i] - shift);
            out[i] = e;
            s += e;
        }
        return s;
    }

    static void scale(float[] x, int n, float f) {
        int l = F.length();
        int i = 0;
        for (; i + l <= n; i += l) {
            FloatVector.fromArray(F, x, i).mul(f).intoArray(x, i);
        }
        for (; i < n; i++) {
            x[i] *= f;
        }
    }

    static int nextAbove(float[] x, int from, int to, float threshold) {
        int l = F.length();
        int i = from;
        for (; i + l <= to; i += l) {
            VectorMask<Float> m = FloatVector.fromArray(F, x, i).compare(VectorOperators.GT, threshold);
            if (m.anyTrue()) {
                return i + m.firstTrue();
            }
        }
        for (; i < to; i++) {
            if (x[i] > threshold) {
                return i;
            }
        }
        return to;
    }
}
