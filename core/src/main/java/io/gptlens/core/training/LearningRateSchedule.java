package io.gptlens.core.training;

/**
 * Linear warm-up to the peak learning rate, then cosine decay to the minimum at the planned last
 * step, then the minimum. Warm-up keeps Adam's first steps (whose second moments are still poor
 * estimates) small; the decay anneals the noise of one-window batches.
 *
 * @param peak    learning rate at the end of warm-up
 * @param min     learning rate at and after {@code total}
 * @param warmup  warm-up steps (0: none)
 * @param total   the planned number of steps
 */
public record LearningRateSchedule(double peak, double min, long warmup, long total) {

    public LearningRateSchedule {
        if (!(peak > 0) || min < 0 || min > peak || warmup < 0 || total < 1) {
            throw new IllegalArgumentException("Invalid schedule: peak %s, min %s, warmup %d, total %d".formatted(peak, min, warmup, total));
        }
    }

    /** The learning rate of step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmup) {
            return peak * (step + 1) / warmup;
        }
        if (step >= total) {
            return min;
        }
        double t = (double) (step - warmup) / Math.max(1, total - warmup);
        return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * t));
    }
}
