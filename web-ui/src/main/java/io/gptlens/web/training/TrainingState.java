package io.gptlens.web.training;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where a training run stands; in JSON and on the page by its lower-case name ("running"). */
public enum TrainingState {
    /** Preparing data or training. */
    RUNNING,
    /** Trained to the end of its plan; the finished model is in the models folder. */
    DONE,
    /** Stopped by an error (see the run's {@code error}). */
    FAILED,
    /** Cancelled; it can be resumed from its last checkpoint. */
    CANCELLED;

    /** "running", "done", "failed" or "cancelled". */
    @JsonValue
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A run in this state can be resumed from a checkpoint (it has stopped before its plan's end). */
    public boolean resumable() {
        return this == FAILED || this == CANCELLED;
    }
}
