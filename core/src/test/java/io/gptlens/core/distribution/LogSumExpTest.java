package io.gptlens.core.distribution;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one-pass log-sum-exp against the direct sum, in any order, blockwise, and at the infinities. */
class LogSumExpTest {

    @Test
    void oneValueAtATimeMatchesTheDirectSumInAnyOrder() {
        Random r = new Random(3);
        double[] x = new double[5000];
        double direct = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian() * 8;
            direct += Math.exp(x[i]); // small enough not to overflow: the oracle needs no trick
        }
        LogSumExp up = new LogSumExp();
        LogSumExp down = new LogSumExp();
        for (int i = 0; i < x.length; i++) {
            up.add(x[i]);
            down.add(x[x.length - 1 - i]);
        }
        assertEquals(Math.log(direct), up.value(), 1e-12);
        assertEquals(Math.log(direct), down.value(), 1e-12);
    }

    @Test
    void blocksSummedByTheCallerGiveTheSame() {
        Random r = new Random(4);
        double[] x = new double[1000];
        LogSumExp one = new LogSumExp();
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian() * 3 + i * 0.01; // rising, so later blocks raise the reference
            one.add(x[i]);
        }
        LogSumExp blocks = new LogSumExp();
        for (int from = 0; from < x.length; from += 128) {
            int to = Math.min(x.length, from + 128);
            double m = Double.NEGATIVE_INFINITY;
            for (int i = from; i < to; i++) {
                m = Math.max(m, x[i]);
            }
            blocks.raiseTo(m);
            double s = 0;
            for (int i = from; i < to; i++) {
                s += Math.exp(x[i] - blocks.max());
            }
            blocks.addRelative(s);
        }
        assertEquals(one.value(), blocks.value(), 1e-12);
    }

    @Test
    void hugeValuesDoNotOverflowAndTheInfinitiesAreKept() {
        LogSumExp big = new LogSumExp();
        big.add(1000);
        big.add(1000);
        assertEquals(1000 + Math.log(2), big.value(), 1e-12);
        LogSumExp inf = new LogSumExp();
        inf.add(1);
        inf.add(Double.POSITIVE_INFINITY);
        inf.add(2);
        assertEquals(Double.POSITIVE_INFINITY, inf.value());
        LogSumExp none = new LogSumExp();
        none.add(Double.NEGATIVE_INFINITY);
        assertEquals(Double.NEGATIVE_INFINITY, none.value());
        none.add(0);
        assertEquals(0, none.value(), 0);
        none.reset();
        assertEquals(Double.NEGATIVE_INFINITY, none.value());
        for (double[] order : new double[][]{{Double.NaN, 1, 2}, {1, Double.NaN, 2}, {1, 2, Double.NaN}}) {
            LogSumExp nan = new LogSumExp();
            for (double x : order) {
                nan.add(x);
            }
            assertEquals(Double.NaN, nan.value(), "a NaN anywhere gives NaN: " + java.util.Arrays.toString(order));
        }
    }
}
