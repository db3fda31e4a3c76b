package io.gptlens.core.bench;

import java.util.Arrays;
import java.util.function.LongSupplier;

/** Timing for the bench commands (published in core's test-jar): medians after a warm-up, not timed unit tests. */
public final class Timing {

    private Timing() {
    }

    /** Runs {@code run} {@code warmup} times, then {@code reps} timed times, and returns the median in milliseconds. */
    public static double medianMillis(int warmup, int reps, LongSupplier run) {
        for (int i = 0; i < warmup; i++) {
            run.getAsLong();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            run.getAsLong();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }
}
