package io.gptlens.web.training;

/** Where a training run stands. */
public enum TrainingState {
    /** Preparing data or training. */
    RUNNING,
    /** Trained to the end of its plan; the finished model is in the models folder. */
    DONE,
    /** Stopped by an error (see the run's {@code error}). */
    FAILED,
    /** Cancelled; it can be resumed from its last checkpoint. */
    CANCELLED
}
