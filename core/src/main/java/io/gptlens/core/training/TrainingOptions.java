package io.gptlens.core.training;

import java.util.Objects;
import java.util.function.LongFunction;

/**
 * How a model is opened for training.
 *
 * @param window    tokens per window (the context length of the training graph)
 * @param threads   CPU threads, 0 for all cores
 * @param firstStep the index of the first optimizer step (non-zero when a run resumes from a checkpoint)
 * @param schedule  AdamW's settings for a step index, called once per optimizer step on the training thread
 */
public record TrainingOptions(int window, int threads, long firstStep, LongFunction<OptimizerStep> schedule) {

    public TrainingOptions {
        Objects.requireNonNull(schedule, "schedule");
        if (window < 1 || threads < 0 || firstStep < 0) {
            throw new IllegalArgumentException("Invalid training options: window " + window + ", threads " + threads + ", first step " + firstStep);
        }
    }
}
