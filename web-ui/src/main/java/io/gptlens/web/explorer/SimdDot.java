package io.gptlens.web.explorer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Dot products with the Vector API; loaded only when {@code jdk.incubator.vector} is present. */
public final class SimdDot {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SimdDot() {
    }

    /** The dot product of two equally long vectors. */
    public static float dot(float[] a, float[] b) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < S.loopBound(a.length); i += S.length()) {
            acc = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
