package io.gptlens.core.generation;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many generations run in this JVM right now, so that background work (the explorer's index
 * build) can step aside while tokens are being produced: on a machine with few cores a build at
 * the lowest CPU priority still slowed a Qwen-0.5B-sized generation to 0.85× (it competes for
 * memory bandwidth and caches, which priorities do not share out). Thread-safe.
 */
public final class GenerationActivity {

    private static final AtomicInteger ACTIVE = new AtomicInteger();
    private static final Object IDLE = new Object();

    private GenerationActivity() {
    }

    /** A generation starts. */
    static void enter() {
        ACTIVE.incrementAndGet();
    }

    /** A generation ended. */
    static void exit() {
        if (ACTIVE.decrementAndGet() == 0) {
            synchronized (IDLE) {
                IDLE.notifyAll();
            }
        }
    }

    /** Generations running now. */
    public static int active() {
        return ACTIVE.get();
    }

    /**
     * Waits while any generation runs, at most {@code maxMillis} in all (so background work is
     * delayed, never starved by a generation that streams for hours).
     */
    public static void awaitIdle(long maxMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + maxMillis;
        synchronized (IDLE) {
            while (ACTIVE.get() > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return;
                }
                IDLE.wait(Math.min(left, 100));
            }
        }
    }
}
