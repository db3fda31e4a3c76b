package io.gptlens.core.training;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model opened for training: its weights are the trained parameters, changed in place by each
 * optimizer step. Made by {@link io.gptlens.core.model.Model#openTraining}.
 *
 * <p><b>Ownership:</b> owns the native training state (optimizer moments, gradients); {@link #close()}
 * frees it and may be called twice; the model itself stays open and keeps the trained weights.
 * <b>Thread-safety:</b> one thread at a time; calls block until done.
 */
public interface TrainingContext extends AutoCloseable {

    /** Receives the result of each optimizer step, on the training thread. May throw: the failure is reported after the call. */
    @FunctionalInterface
    interface StepListener {
        void onStep(StepResult step);
    }

    /**
     * The result of one optimizer step (one window).
     *
     * @param step      the step's index in the whole run (0-based)
     * @param loss      mean cross-entropy of the window's next-token predictions, nats per token
     * @param accuracy  fraction of the window's tokens whose most probable prediction was the label
     * @param tokens    tokens the step trained on
     * @param nanos     wall-clock time of the step
     * @param learningRate the learning rate the step used
     */
    record StepResult(long step, double loss, double accuracy, int tokens, long nanos, double learningRate) {
    }

    /**
     * Loss and accuracy of the model on windows, without training.
     *
     * @param loss     mean cross-entropy, nats per token
     * @param accuracy fraction of tokens predicted right (top-1)
     * @param tokens   tokens evaluated
     */
    record Evaluation(double loss, double accuracy, long tokens) {
    }

    /**
     * Trains one optimizer step per window, in order. The optimizer's settings of each step come
     * from the schedule this context was opened with, at the step counter (which then advances).
     *
     * @throws IllegalArgumentException if the windows' length is not this context's window length or a token is outside the vocabulary
     */
    void train(TokenWindows windows, StepListener listener);

    /** Evaluates the model's loss on windows (forward passes only). */
    Evaluation evaluate(TokenWindows windows);

    /** The index of the next optimizer step. */
    long nextStep();

    /** Writes the current weights as a GGUF file (atomically: temporary name, then moved). */
    void save(Path file) throws IOException;

    @Override
    void close();
}
